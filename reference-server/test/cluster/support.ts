// Shared set-up for the multi-node suites: nodes as real processes, services through the fault proxy.
import { randomBytes } from 'node:crypto';
import type { Proxy, Toxiproxy } from 'toxiproxy-node-client';
import { startServer, type ServerProcess } from '../../../testing/server-process.ts';

/** Small timings so that faults, backoff and breakers play out in seconds (stated per suite). */
export const FAST_ENV = {
  LOG_LEVEL: 'info',
  DEPENDENCY_TIMEOUT_MS: '1000',
  REDIS_RECONNECT_MIN_MS: '100',
  REDIS_RECONNECT_MAX_MS: '800',
  DEPENDENCY_PROBE_INTERVAL_MS: '200',
};

/** Starts `count` nodes together (as a deployment does: their migrations race) with one JWT secret. */
export async function startNodes(count: number, env: Record<string, string>): Promise<ServerProcess[]> {
  const secret = randomBytes(32).toString('hex');
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => startServer({ secret, env: { ...FAST_ENV, NODE_ID: `node-${i + 1}`, ...env } })),
  );
  const nodes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(nodes.map((n) => n.dispose()));
    throw (failed as PromiseRejectedResult).reason;
  }
  return nodes;
}

/** A fault-proxy route to a service URL; returns the URL that goes through it. */
export async function throughProxy(toxiproxy: Toxiproxy, name: string, serviceUrl: string): Promise<{ proxy: Proxy; url: string }> {
  const target = new URL(serviceUrl);
  const proxy = await toxiproxy.createProxy({ name, listen: '127.0.0.1:0', upstream: `${target.hostname}:${target.port}` });
  const proxied = new URL(serviceUrl);
  proxied.port = proxy.listen.split(':').at(-1)!;
  return { proxy, url: proxied.toString() };
}

/** Cuts (disables) or heals (enables) a proxy: disabling closes its listener and every live connection. */
export async function setEnabled(proxy: Proxy, enabled: boolean, upstream = proxy.upstream): Promise<Proxy> {
  return proxy.update({ enabled, listen: proxy.listen, upstream });
}

export { setTimeout as sleep } from 'node:timers/promises';
export { waitFor } from '../../../testbed/wait.ts';
