import { createServer } from 'node:net';

/**
 * A TCP port nobody listens on right now, chosen by the kernel. Someone may still take it before we bind,
 * so starters retry with a fresh port when the server reports "address already in use".
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}

/** True when nothing listens on host:port (we can bind it ourselves). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

const PORT_ATTEMPTS = 3;

/**
 * Starts a server on a free port: picking a port and the server binding it are two steps, so when
 * someone takes the port in between (`portTaken` reads that from the server's output) it tries
 * another one. Returns the port the server listens on.
 */
export async function launchOnFreePort(host: string, launch: (port: number) => Promise<void>, portTaken: () => boolean): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort(host);
    try {
      await launch(port);
      return port;
    } catch (error) {
      if (attempt < PORT_ATTEMPTS && portTaken()) continue;
      throw error;
    }
  }
}
