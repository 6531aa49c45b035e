import type { Proxy as ToxiProxy } from 'toxiproxy-node-client';
import { connectToxiproxy, type ToxiproxyConnection } from './connect.ts';
import { targetTls, type TargetTls } from './target-tls.ts';

/**
 * The fault proxy between the chaos clients and the target: clients connect to `clientUrl`, admin and
 * history calls go to the target directly. Uses TOXIPROXY_URL when set, else our own proxy on 127.0.0.1.
 * The proxy is TCP level: an https target's TLS passes through it, and its clients verify the target's name.
 */
export interface FaultLink {
  clientUrl: string;
  /** For an https target: how the clients dialling `clientUrl` name and verify the target (SNI, Host, certificate). */
  clientTls: TargetTls | undefined;
  /** Closes the listener and cuts every live connection (a partition). */
  cut(): Promise<void>;
  /** Opens the listener again, to the same target or, given a URL, to that one from now on (a load balancer failing over). */
  heal(toUrl?: string): Promise<void>;
  /** Adds `ms` of latency to server-to-client data (acks and broadcasts). */
  addLatency(ms: number): Promise<void>;
  removeLatency(): Promise<void>;
  close(): Promise<void>;
}

export interface FaultLinkOptions {
  /**
   * The caller hands `clientTls` to its clients, so an https target may be linked. A caller that does not
   * would dial 127.0.0.1 and verify that name: refused up front instead.
   */
  clientTls?: boolean;
}

export async function openFaultLink(targetUrl: string, name: string, opts: FaultLinkOptions = {}): Promise<FaultLink> {
  const target = new URL(targetUrl);
  if (target.protocol === 'https:' && !opts.clientTls) throw new Error('these fault proxy checks support http: targets only (TLS would be proxied to 127.0.0.1 with the wrong name)');
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`the fault proxy links http: and https: targets, not ${target.protocol}`);
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
    clientUrl: `${target.protocol}//${listen}`,
    clientTls: target.protocol === 'https:' ? targetTls(target) : undefined,
    cut: async () => void (await proxy.update({ enabled: false, listen, upstream })),
    heal: async (toUrl) => {
      if (toUrl) {
        const to = new URL(toUrl);
        // The clients keep the TLS name they were given: a failover must be to the same scheme and host name.
        if (to.protocol !== target.protocol || (target.protocol === 'https:' && to.hostname !== target.hostname)) {
          throw new Error(`the fault link to ${target.origin} cannot fail over to ${to.origin} (its clients verify ${target.hostname})`);
        }
        upstream = upstreamOf(to);
      }
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

/** host:port of an http: or https: URL, as the proxy's upstream. */
function upstreamOf(url: URL): string {
  return `${url.hostname.replace(/^\[|\]$/g, '')}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}
