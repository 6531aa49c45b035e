import { randomUUID } from 'node:crypto';
import type { Proxy } from 'toxiproxy-node-client';
import { postgresAvailability, redisAvailability, type PostgresService, type RedisService } from '../../testbed/services/index.ts';
import { connectToxiproxy, type ToxiproxyConnection } from '../../testbed/fault-proxy/connect.ts';

/** The external dependencies the harness can start, put behind a fault proxy, cut and heal. */
export const DEPENDENCY_NAMES = ['redis', 'postgres'] as const;
export type DependencyName = (typeof DEPENDENCY_NAMES)[number];

/**
 * Timings given to a target started with --deps, so that outages, backoff and breakers play out in
 * seconds. They are environment variables the reference server reads (README.md, "Running several nodes");
 * the report states them. The breaker's threshold and window stay the target's (read from GET /spec).
 */
export const DEPENDENCY_TIMINGS = {
  BREAKER_RESET_TIMEOUT_MS: '1500',
  DEPENDENCY_PROBE_INTERVAL_MS: '200',
  DEPENDENCY_TIMEOUT_MS: '1000',
  REDIS_RECONNECT_MIN_MS: '100',
  REDIS_RECONNECT_MAX_MS: '800',
} as const;

/** What a check may do to the target's dependencies. */
export interface DependencyControl {
  readonly names: readonly DependencyName[];
  /** Disables the dependency's proxy: its listener closes and every live connection is cut. */
  cut(name: DependencyName): Promise<void>;
  /** Enables it again on the same address. */
  heal(name: DependencyName): Promise<void>;
  /** Heals every cut dependency (a check's clean-up). */
  healAll(): Promise<void>;
  /** The environment given to the target (URLs through the proxies and DEPENDENCY_TIMINGS). */
  readonly targetEnv: Record<string, string>;
}

/** Throw-away services behind a fault proxy, owned by the harness for one run. */
export class HarnessDependencies implements DependencyControl {
  private readonly cutNow = new Set<DependencyName>();

  private constructor(
    private readonly proxyConn: ToxiproxyConnection,
    private readonly proxies: Map<DependencyName, Proxy>,
    private readonly leases: Array<RedisService | PostgresService>,
    readonly targetEnv: Record<string, string>,
  ) {}

  get names(): DependencyName[] {
    return [...this.proxies.keys()];
  }

  /** Starts the services and proxies; rejects with one line saying what is missing. Cleans up on failure. */
  static async start(names: readonly DependencyName[]): Promise<HarnessDependencies> {
    const wanted = new Set(names);
    const [redis, postgres] = await Promise.all([
      wanted.has('redis') ? redisAvailability({ needsControl: true }) : undefined,
      wanted.has('postgres') ? postgresAvailability({ needsControl: true }) : undefined,
    ]);
    const missing = [redis?.skip, postgres?.skip].filter((s): s is string => s !== undefined);
    if (missing.length > 0) throw new DependencyStartError(`--deps: ${missing.join('; ')}`);
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
      return new HarnessDependencies(conn, proxies, leases, env);
    } catch (err) {
      await proxyConn?.close().catch(() => undefined);
      await Promise.all(leases.map((l) => l.stop().catch(() => undefined)));
      throw err instanceof DependencyStartError ? err : new DependencyStartError(`--deps: could not start the dependencies: ${(err as Error).message}`);
    }
  }

  async cut(name: DependencyName): Promise<void> {
    await this.setEnabled(name, false);
    this.cutNow.add(name);
  }

  async heal(name: DependencyName): Promise<void> {
    await this.setEnabled(name, true);
    this.cutNow.delete(name);
  }

  async healAll(): Promise<void> {
    for (const name of [...this.cutNow]) await this.heal(name);
  }

  private async setEnabled(name: DependencyName, enabled: boolean): Promise<void> {
    const proxy = this.proxies.get(name);
    if (!proxy) throw new Error(`no ${name} dependency in this run (--deps)`);
    this.proxies.set(name, await proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream }));
  }

  /** Stops the proxy and the services (idempotent). */
  async stop(): Promise<void> {
    await this.proxyConn.close().catch(() => undefined);
    await Promise.all(this.leases.splice(0).map((l) => l.stop().catch(() => undefined)));
  }
}

export class DependencyStartError extends Error {
  override name = 'DependencyStartError';
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
