import type { Proxy as ToxiProxy } from 'toxiproxy-node-client';
import { connectToxiproxy, type ToxiproxyConnection } from './connect.ts';

/**
 * The fault proxy between the chaos clients and the target: clients connect to `clientUrl`, admin and
 * history calls go to the target directly. Uses TOXIPROXY_URL when set, else our own proxy on 127.0.0.1.
 */
export interface FaultLink {
  clientUrl: string;
  /** Closes the listener and cuts every live connection (a partition). */
  cut(): Promise<void>;
  /** Opens the listener again, to the same target or, given a URL, to that one from now on (a load balancer failing over). */
  heal(toUrl?: string): Promise<void>;
  /** Adds `ms` of latency to server-to-client data (acks and broadcasts). */
  addLatency(ms: number): Promise<void>;
  removeLatency(): Promise<void>;
  close(): Promise<void>;
}

export async function openFaultLink(targetUrl: string, name: string): Promise<FaultLink> {
  const target = new URL(targetUrl);
  if (target.protocol !== 'http:') throw new Error('the fault proxy scenarios support http: targets only (TLS would be proxied to 127.0.0.1 with the wrong name)');
  const conn: ToxiproxyConnection = await connectToxiproxy();
  let proxy: ToxiProxy;
  try {
    proxy = await conn.toxiproxy.createProxy({ name, listen: '127.0.0.1:0', upstream: upstreamOf(target) });
  } catch (err) {
    await conn.close();
    throw err;
  }
  const listen = proxy.listen;
  let upstream = proxy.upstream;
  const toxicName = `${name}-latency`;
  return {
    clientUrl: `http://${listen}`,
    cut: async () => void (await proxy.update({ enabled: false, listen, upstream })),
    heal: async (toUrl) => {
      if (toUrl) upstream = upstreamOf(new URL(toUrl));
      await proxy.update({ enabled: true, listen, upstream });
    },
    addLatency: async (ms) =>
      void (await proxy.addToxic({ name: toxicName, type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: ms, jitter: 0 } })),
    removeLatency: async () => {
      const toxic = await proxy.getToxic(toxicName);
      await toxic.remove();
    },
    close: async () => {
      try {
        await proxy.remove();
      } finally {
        await conn.close();
      }
    },
  };
}

/** host:port of an http: URL, as the proxy's upstream. */
function upstreamOf(url: URL): string {
  return `${url.hostname.replace(/^\[|\]$/g, '')}:${url.port || '80'}`;
}
