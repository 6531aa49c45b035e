import type { Server } from 'node:http';
import { rename, writeFile } from 'node:fs/promises';
import type { ServerConfig } from './config.ts';

export class NoFreePort extends Error {}

function bind(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Binds the configured port, or the first free one of the range by trying each in turn: the
 * bind itself is the test, so there is no check-then-bind race (OPS-5).
 */
export async function listen(server: Server, where: ServerConfig['listen']): Promise<number> {
  if ('port' in where) return bind(server, where.host, where.port);
  for (let port = where.portStart; port <= where.portEnd; port++) {
    try {
      return await bind(server, where.host, port);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  throw new NoFreePort(`no free port in ${where.portStart}-${where.portEnd} on ${where.host}`);
}

/** Tells a supervisor which port was bound: written whole or not at all (tmp + rename). */
export async function writePortFile(path: string, port: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${port}\n`);
  await rename(tmp, path);
}
