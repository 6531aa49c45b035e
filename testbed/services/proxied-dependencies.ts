import { randomUUID } from 'node:crypto';
import type { Proxy, Toxic } from 'toxiproxy-node-client';
import { z } from 'zod';
import { connectToxiproxy, type ToxiproxyConnection } from '../fault-proxy/connect.ts';
import { postgresAvailability, redisAvailability, type PostgresService, type RedisService } from './index.ts';

/**
 * Redis and PostgreSQL behind a Toxiproxy-compatible fault proxy, so that a run can cut them, slow them or
 * break their connections and heal them again. Conformance (`--deps`) and chaos (its local deployment, or
 * staging's own Toxiproxy) drive the same class.
 */

/** The external dependencies a run can put behind a fault proxy, cut and heal. */
export const DEPENDENCY_NAMES = ['redis', 'postgres'] as const;
export type DependencyName = (typeof DEPENDENCY_NAMES)[number];

/**
 * Timings given to a server started on proxied dependencies, so that outages, backoff and breakers play out
 * in seconds. They are environment variables the reference server reads (README.md, "Running several
 * nodes"); reports state them. The breaker's threshold and window stay the target's (read from GET /spec).
 */
export const DEPENDENCY_TIMINGS = {
  BREAKER_RESET_TIMEOUT_MS: '1500',
  DEPENDENCY_PROBE_INTERVAL_MS: '200',
  DEPENDENCY_TIMEOUT_MS: '1000',
  REDIS_RECONNECT_MIN_MS: '100',
  REDIS_RECONNECT_MAX_MS: '800',
} as const;

/** A Toxiproxy toxic as the API takes it (`toxicity` 1 and `stream` downstream when left out). */
export interface ToxicRequest {
  type: 'latency' | 'bandwidth' | 'slow_close' | 'timeout' | 'slicer' | 'limit_data' | 'reset_peer';
  stream?: 'upstream' | 'downstream';
  attributes: Record<string, number>;
}

/** An upstream nothing listens on (TCP port 1, tcpmux, unused on the hosts we run on): every dial is refused. */
const REFUSING_UPSTREAM = '127.0.0.1:1';

const AcceptedAnswer = z.object({ accepted: z.array(z.number()) });

export class DependencyStartError extends Error {
  override name = 'DependencyStartError';
}

export class ProxiedDependencies {
  private readonly cutNow = new Set<DependencyName>();
  private readonly toxics: Array<Toxic<unknown>> = [];
  private readonly stalls = new Map<DependencyName, Array<() => Promise<void>>>();
  /** The real upstream of each dependency whose connections are turned away. */
  private readonly turnedAway = new Map<DependencyName, string>();

  private constructor(
    private readonly proxyConn: ToxiproxyConnection,
    private readonly proxies: Map<DependencyName, Proxy>,
    private readonly leases: Array<RedisService | PostgresService>,
    /** The environment a server on these dependencies gets: URLs through the proxies and DEPENDENCY_TIMINGS. */
    readonly targetEnv: Record<string, string>,
  ) {}

  get names(): DependencyName[] {
    return [...this.proxies.keys()];
  }

  /** Throw-away services (testbed/services) behind our fault proxy, or TOXIPROXY_URL's; rejects with one line saying what is missing. */
  static async start(names: readonly DependencyName[], flag = '--deps'): Promise<ProxiedDependencies> {
    const wanted = new Set(names);
    const [redis, postgres] = await Promise.all([
      wanted.has('redis') ? redisAvailability({ needsControl: true }) : undefined,
      wanted.has('postgres') ? postgresAvailability({ needsControl: true }) : undefined,
    ]);
    const missing = [redis?.skip, postgres?.skip].filter((s): s is string => s !== undefined);
    if (missing.length > 0) throw new DependencyStartError(`${flag}: ${missing.join('; ')}`);
    const leases: Array<RedisService | PostgresService> = [];
    let proxyConn: ToxiproxyConnection | undefined;
    try {
      const [redisLease, pgLease, conn] = await Promise.all([redis?.start(), postgres?.start(), connectToxiproxy()]);
      if (redisLease) leases.push(redisLease);
      if (pgLease) leases.push(pgLease);
      proxyConn = conn;
      const proxies = new Map<DependencyName, Proxy>();
      const env: Record<string, string> = { ...DEPENDENCY_TIMINGS };
      if (redisLease) {
        const route = await throughProxy(conn, 'redis', redisLease.url);
        proxies.set('redis', route.proxy);
        env.REDIS_URL = route.url;
        if (redisLease.keyPrefix) env.REDIS_KEY_PREFIX = redisLease.keyPrefix;
      }
      if (pgLease) {
        const route = await throughProxy(conn, 'postgres', pgLease.url);
        proxies.set('postgres', route.proxy);
        env.DATABASE_URL = route.url;
      }
      return new ProxiedDependencies(conn, proxies, leases, env);
    } catch (err) {
      await proxyConn?.close().catch(() => undefined);
      await Promise.all(leases.map((l) => l.stop().catch(() => undefined)));
      throw err instanceof DependencyStartError ? err : new DependencyStartError(`${flag}: could not start the dependencies: ${(err as Error).message}`);
    }
  }

  /**
   * Proxies that already stand in front of a deployment's dependencies in the Toxiproxy at TOXIPROXY_URL
   * (staging), found by their names. Nothing is started; stop() heals what the run did and leaves them.
   */
  static async attach(proxyNames: Partial<Record<DependencyName, string>>, env: NodeJS.ProcessEnv = process.env): Promise<ProxiedDependencies> {
    if (!env.TOXIPROXY_URL?.trim()) throw new DependencyStartError('proxies named for the dependencies need TOXIPROXY_URL (the Toxiproxy in front of them)');
    const conn = await connectToxiproxy(env);
    const proxies = new Map<DependencyName, Proxy>();
    for (const name of DEPENDENCY_NAMES) {
      const proxyName = proxyNames[name];
      if (proxyName === undefined) continue;
      try {
        proxies.set(name, await conn.toxiproxy.get(proxyName));
      } catch (err) {
        throw new DependencyStartError(`no proxy "${proxyName}" (${name}) in the Toxiproxy at TOXIPROXY_URL: ${(err as Error).message}`);
      }
    }
    return new ProxiedDependencies(conn, proxies, [], {});
  }

  /** Disables the dependency's proxy: its listener closes and every live connection is cut. */
  async cut(name: DependencyName): Promise<void> {
    await this.setEnabled(name, false);
    this.cutNow.add(name);
  }

  /** Enables it again on the same address, and ends a stall. */
  async heal(name: DependencyName): Promise<void> {
    for (const remove of this.stalls.get(name)?.splice(0) ?? []) await remove();
    const upstream = this.turnedAway.get(name);
    this.turnedAway.delete(name);
    await this.setEnabled(name, true, upstream);
    this.cutNow.delete(name);
  }

  /**
   * Makes the dependency hang rather than refuse: Toxiproxy `timeout` toxics with timeout 0 hold every byte
   * both ways, on live and new connections, which stay open (a database that accepts and never answers).
   * heal() removes them, which closes the connections they held.
   */
  async stall(name: DependencyName): Promise<void> {
    const removers = this.stalls.get(name) ?? [];
    this.stalls.set(name, removers);
    for (const stream of ['upstream', 'downstream'] as const) removers.push(await this.addToxic(name, { type: 'timeout', stream, attributes: { timeout: 0 } }));
  }

  /**
   * Turns every connection away while the listener stays open: the proxy's upstream becomes an address that
   * refuses (a changed upstream restarts the proxy, cutting the live connections), so each new connection is
   * accepted and closed at once, as Toxiproxy closes a client whose upstream it cannot dial. The attempts reach
   * the proxy and can be counted (acceptedSince), where a closed listener refuses them unseen. heal() ends it.
   */
  async turnAway(name: DependencyName): Promise<void> {
    const proxy = this.proxy(name);
    if (!this.turnedAway.has(name)) this.turnedAway.set(name, proxy.upstream);
    this.proxies.set(name, await proxy.update({ enabled: true, listen: proxy.listen, upstream: REFUSING_UPSTREAM }));
    this.cutNow.add(name);
  }

  /**
   * When the dependency's proxy accepted each connection from `sinceMs` on (ms since the epoch, oldest first):
   * our fault proxy's extension (GET /proxies/{name}/accepted); undefined from a Toxiproxy without it.
   */
  async acceptedSince(name: DependencyName, sinceMs: number): Promise<number[] | undefined> {
    const answer = await fetch(`${this.proxyConn.url}/proxies/${encodeURIComponent(this.proxy(name).name)}/accepted`).catch(() => undefined);
    if (answer?.status !== 200) return undefined;
    const parsed = AcceptedAnswer.safeParse(await answer.json().catch(() => undefined));
    return parsed.success ? parsed.data.accepted.filter((at) => at >= sinceMs) : undefined;
  }

  /** Adds a toxic to the dependency's proxy, on live and new connections, until healAll() or the returned remover. */
  async addToxic(name: DependencyName, toxic: ToxicRequest): Promise<() => Promise<void>> {
    const stream = toxic.stream ?? 'downstream';
    const added = await this.proxy(name).addToxic({ name: `sockproof-${toxic.type}-${stream}-${randomUUID().slice(0, 6)}`, type: toxic.type, stream, toxicity: 1, attributes: toxic.attributes });
    this.toxics.push(added);
    return async () => {
      const at = this.toxics.indexOf(added);
      if (at < 0) return;
      this.toxics.splice(at, 1);
      await added.remove();
    };
  }

  /** Heals every cut dependency and removes every toxic this run added (a check's or scenario's clean-up). */
  async healAll(): Promise<void> {
    this.stalls.clear();
    for (const toxic of this.toxics.splice(0)) await toxic.remove().catch(() => undefined);
    for (const name of [...this.cutNow]) await this.heal(name);
  }

  private proxy(name: DependencyName): Proxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw new Error(`no ${name} dependency behind the fault proxy in this run`);
    return proxy;
  }

  private async setEnabled(name: DependencyName, enabled: boolean, upstream?: string): Promise<void> {
    const proxy = this.proxy(name);
    this.proxies.set(name, await proxy.update({ enabled, listen: proxy.listen, upstream: upstream ?? proxy.upstream }));
  }

  /** Heals, then stops our fault proxy and the services (idempotent); attached proxies are left in place. */
  async stop(): Promise<void> {
    await this.healAll().catch(() => undefined);
    await this.proxyConn.close().catch(() => undefined);
    await Promise.all(this.leases.splice(0).map((l) => l.stop().catch(() => undefined)));
  }
}

/** Parses "redis,postgres" (order free, no repeats): pure. */
export function parseDependencyNames(text: string | readonly string[]): DependencyName[] {
  const parts = (typeof text === 'string' ? text.split(',') : text.flatMap((t) => t.split(','))).map((s) => s.trim()).filter(Boolean);
  const out: DependencyName[] = [];
  for (const p of parts) {
    if (!(DEPENDENCY_NAMES as readonly string[]).includes(p)) throw new Error(`unknown dependency "${p}" (known: ${DEPENDENCY_NAMES.join(', ')})`);
    if (!out.includes(p as DependencyName)) out.push(p as DependencyName);
  }
  return out;
}

async function throughProxy(conn: ToxiproxyConnection, name: string, serviceUrl: string): Promise<{ proxy: Proxy; url: string }> {
  const target = new URL(serviceUrl);
  const proxy = await conn.toxiproxy.createProxy({ name: `${name}-${randomUUID().slice(0, 8)}`, listen: '127.0.0.1:0', upstream: `${target.hostname}:${target.port}` });
  const proxied = new URL(serviceUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = proxy.listen.split(':').at(-1)!;
  return { proxy, url: proxied.toString() };
}
