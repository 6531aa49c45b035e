import { Toxiproxy } from 'toxiproxy-node-client';
import { startFaultProxy } from './server.ts';

export interface ToxiproxyConnection {
  /** A toxiproxy-node-client bound to whichever server is in use. */
  toxiproxy: Toxiproxy;
  url: string;
  /** True when TOXIPROXY_URL pointed at an outside (real) Toxiproxy. */
  external: boolean;
  /** Stops our own fault proxy if we started one; leaves an outside Toxiproxy running. */
  close(): Promise<void>;
}

/**
 * The Toxiproxy to drive faults with: the one at TOXIPROXY_URL (e.g. a real Toxiproxy in staging), else our
 * own fault proxy started on 127.0.0.1 with a free port. Fails with one clear error if TOXIPROXY_URL is unreachable.
 */
export async function connectToxiproxy(env: NodeJS.ProcessEnv = process.env): Promise<ToxiproxyConnection> {
  const external = env.TOXIPROXY_URL?.trim();
  if (external) {
    const url = external.replace(/\/+$/, '');
    const toxiproxy = new Toxiproxy(url);
    try {
      await toxiproxy.getVersion();
    } catch (err) {
      throw new Error(`TOXIPROXY_URL=${url} did not answer GET /version: ${(err as Error).message}`);
    }
    return { toxiproxy, url, external: true, close: async () => {} };
  }
  const server = await startFaultProxy({ host: '127.0.0.1', port: 0 });
  return { toxiproxy: new Toxiproxy(server.url), url: server.url, external: false, close: () => server.close() };
}
