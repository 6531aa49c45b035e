// Raw TCP traffic for the fault-proxy tests: real servers and clients on loopback, every wait bounded.
import net from 'node:net';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startFaultProxy, type FaultProxyServer } from '../server.ts';

export interface TcpServer {
  port: number;
  close(): Promise<void>;
}

/** Starts a loopback server running `onConnection` per client; close() also cuts its live connections. */
export async function startTcpServer(onConnection: (socket: net.Socket) => void): Promise<TcpServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Echoes every byte back. */
export const startEchoServer = (): Promise<TcpServer> => startTcpServer((socket) => socket.pipe(socket));

/** Sends `bytes` bytes (a repeating pattern) as soon as a client connects, then keeps the connection open. */
export const startSourceServer = (bytes: number): Promise<TcpServer> =>
  startTcpServer((socket) => socket.write(pattern(bytes)));

export function pattern(bytes: number): Buffer {
  const buffer = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) buffer[i] = i % 251;
  return buffer;
}

/** Connects to 127.0.0.1:port, resolving once connected (rejecting on refusal). */
export function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Everything a client saw on a socket: data (with arrival times) and how it ended. */
export class Recorder {
  readonly reads: { at: number; bytes: number }[] = [];
  private chunks: Buffer[] = [];
  ended = false;
  closed = false;
  errorCode: string | undefined;
  private waiters: (() => void)[] = [];

  constructor(readonly socket: net.Socket) {
    socket.on('data', (data: Buffer) => {
      this.chunks.push(data);
      this.reads.push({ at: performance.now(), bytes: data.length });
      this.notify();
    });
    socket.on('end', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.errorCode = err.code;
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  get received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  get byteCount(): number {
    return this.reads.reduce((sum, read) => sum + read.bytes, 0);
  }

  /** Waits until `done()` holds; resolves false if `timeoutMs` passes first. */
  until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(false);
      }, timeoutMs);
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(true);
      };
      this.waiters.push(check);
    });
  }

  untilBytes(count: number, timeoutMs: number): Promise<boolean> {
    return this.until(() => this.byteCount >= count, timeoutMs);
  }

  untilClosed(timeoutMs: number): Promise<boolean> {
    return this.until(() => this.closed, timeoutMs);
  }

  private notify(): void {
    for (const waiter of this.waiters.slice()) waiter();
  }
}

/** Sends `payload` and returns ms until the same number of bytes came back (echo round trip). */
export async function roundTripMs(recorder: Recorder, payload: Buffer, timeoutMs = 5_000): Promise<number> {
  const target = recorder.byteCount + payload.length;
  const start = performance.now();
  recorder.socket.write(payload);
  if (!(await recorder.untilBytes(target, timeoutMs))) throw new Error(`no echo within ${timeoutMs} ms`);
  return performance.now() - start;
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Port of a proxy's `listen` ("127.0.0.1:41234"). */
export const portOf = (listen: string): number => Number(listen.slice(listen.lastIndexOf(':') + 1));

/** Our fault proxy plus a toxiproxy-node-client for it; dispose() closes everything it started. */
export async function startHarness(): Promise<{ server: FaultProxyServer; toxiproxy: Toxiproxy; dispose(): Promise<void> }> {
  const server = await startFaultProxy({ host: '127.0.0.1', port: 0 });
  return { server, toxiproxy: new Toxiproxy(server.url), dispose: () => server.close() };
}

/**
 * A suite's bench: the fault proxy and an echo server for the whole suite; the clients a test
 * opens and the servers it keeps are closed, and every proxy removed, after each test.
 */
export function useProxyBench() {
  let harness: Awaited<ReturnType<typeof startHarness>>;
  let echo: TcpServer;
  const clients: Recorder[] = [];
  const servers: TcpServer[] = [];
  beforeAll(async () => {
    harness = await startHarness();
    echo = await startEchoServer();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy();
    for (const proxy of Object.values(await harness.toxiproxy.getAll())) await proxy.remove();
    for (const server of servers.splice(0)) await server.close();
  });
  afterAll(async () => {
    await harness?.dispose();
    await echo?.close();
  });
  return {
    get toxiproxy(): Toxiproxy {
      return harness.toxiproxy;
    },
    get echo(): TcpServer {
      return echo;
    },
    /** The fault proxy's API base URL. */
    get url(): string {
      return harness.server.url;
    },
    proxyTo: (port: number, name = 'p'): Promise<Proxy> => harness.toxiproxy.createProxy({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${port}` }),
    /** A recording client of a proxy's `listen` address, or of a port directly. */
    async client(to: string | number): Promise<Recorder> {
      const recorder = new Recorder(await connect(typeof to === 'number' ? to : portOf(to)));
      clients.push(recorder);
      return recorder;
    },
    keepServer<T extends TcpServer>(server: T): T {
      servers.push(server);
      return server;
    },
  };
}
