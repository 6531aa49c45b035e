import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiHandler } from './api.ts';
import { ProxyCollection } from './collection.ts';
import { formatHostPort } from './address.ts';

export interface FaultProxyServer {
  /** Base URL of the Toxiproxy-compatible API, e.g. http://127.0.0.1:8474 */
  url: string;
  /** Stops the API and every proxy listener and connection. */
  close(): Promise<void>;
}

/** Starts the fault proxy's API on host:port (port 0 picks a free one). */
export async function startFaultProxy(options: { host?: string; port?: number } = {}): Promise<FaultProxyServer> {
  const host = options.host ?? '127.0.0.1';
  const proxies = new ProxyCollection();
  const server = http.createServer(createApiHandler(proxies));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${formatHostPort(address.address, address.port)}`,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await proxies.closeAll();
        await stopped;
      })();
      return closing;
    },
  };
}
