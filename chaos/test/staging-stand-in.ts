import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startFaultProxy, type FaultProxyServer } from '../../testbed/fault-proxy/server.ts';
import { postgresAvailability, redisAvailability, type PostgresService, type RedisService } from '../../testbed/services/index.ts';
import { DEPENDENCY_TIMINGS } from '../../testbed/services/proxied-dependencies.ts';
import { referenceServerCommand, TargetProcess } from '../../testbed/targets/target-process.ts';

/**
 * "Staging", played on this machine for the tests of `sockproof chaos --config`: two reference nodes on
 * throw-away Redis and PostgreSQL behind a fault proxy that stands for staging's Toxiproxy (proxies named
 * staging-redis, staging-postgres), and hooks that are small node scripts: signal a node's process group read
 * from a pid file, or ask the test to restart it (on the same port and data, as systemd would).
 */
export interface StagingStandIn {
  dir: string;
  toxiproxy: FaultProxyServer;
  nodes: Map<string, TargetProcess>;
  /** What the nodes run with: Redis and PostgreSQL through the Toxiproxy, the short dependency timings. */
  env: Record<string, string>;
  /** The config's `toxiproxy` section for this staging. */
  proxies(): { url: string; proxies: { redis: string; postgres: string } };
  /** The config's `hooks` of a node: kill, restart, pause, resume. */
  hooksFor(name: string): Record<'kill' | 'restart' | 'pause' | 'resume', string[]>;
  close(): Promise<void>;
}

const HOOK_SCRIPT = `
import { readFileSync } from 'node:fs';
const [action, a, b] = process.argv.slice(2);
if (action === 'signal') process.kill(-Number(readFileSync(b, 'utf8')), a);
if (action === 'post') {
  const res = await fetch(a, { method: 'POST' });
  console.log('restart answered', res.status);
  process.exit(res.ok ? 0 : 1);
}
`;

export async function startStagingStandIn(opts: { dirPrefix: string; secret: string; nodeEnv?: Record<string, string> }): Promise<StagingStandIn> {
  const dir = await mkdtemp(join(tmpdir(), opts.dirPrefix));
  const [redis, postgres] = await Promise.all([redisAvailability({ needsControl: true }), postgresAvailability({ needsControl: true })]);
  const leases: Array<RedisService | PostgresService> = [];
  const redisLease = await redis.start();
  leases.push(redisLease);
  const pgLease = await postgres.start();
  leases.push(pgLease);
  const toxiproxy = await startFaultProxy({ host: '127.0.0.1', port: 0 });
  const api = new Toxiproxy(toxiproxy.url);
  const routed = async (name: string, serviceUrl: string) => {
    const u = new URL(serviceUrl);
    const proxy = await api.createProxy({ name, listen: '127.0.0.1:0', upstream: `${u.hostname}:${u.port}` });
    u.hostname = '127.0.0.1';
    u.port = proxy.listen.split(':').at(-1)!;
    return u.toString();
  };
  // Staging runs with timings of its own (short ones here); the runner is told none of them.
  const env: Record<string, string> = {
    ...DEPENDENCY_TIMINGS,
    REDIS_URL: await routed('staging-redis', redisLease.url),
    DATABASE_URL: await routed('staging-postgres', pgLease.url),
    ...(redisLease.keyPrefix ? { REDIS_KEY_PREFIX: redisLease.keyPrefix } : {}),
  };
  // Staging keeps the spec's table (RATE-1): the runner's own starts relax it in RATE_LIMITS, staging does not.
  const { RATE_LIMITS: _relaxed, ...refEnv } = referenceServerCommand().env ?? {};
  const nodes = new Map<string, TargetProcess>();
  for (const name of ['node-1', 'node-2']) {
    const p = await TargetProcess.start({ ...referenceServerCommand(), jwtSecret: opts.secret, env: { ...refEnv, ...env, ...opts.nodeEnv, NODE_ID: name } });
    nodes.set(name, p);
    await writeFile(join(dir, `${name}.pid`), String(p.pid));
  }
  const control = http.createServer((req, res) => {
    const name = req.url!.split('/').at(-1)!;
    const node = nodes.get(name);
    if (req.method !== 'POST' || !node) return void res.writeHead(404).end();
    void node
      .restart()
      .then(() => writeFile(join(dir, `${name}.pid`), String(node.pid)))
      .then(() => res.writeHead(200).end(), (err: Error) => res.writeHead(500).end(err.message));
  });
  await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
  const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
  const script = join(dir, 'hook.mjs');
  await writeFile(script, HOOK_SCRIPT);
  return {
    dir,
    toxiproxy,
    nodes,
    env,
    proxies: () => ({ url: toxiproxy.url, proxies: { redis: 'staging-redis', postgres: 'staging-postgres' } }),
    hooksFor(name) {
      const pidFile = join(dir, `${name}.pid`);
      return {
        kill: [process.execPath, script, 'signal', 'SIGKILL', pidFile],
        restart: [process.execPath, script, 'post', `${controlUrl}/restart/${name}`],
        pause: [process.execPath, script, 'signal', 'SIGSTOP', pidFile],
        resume: [process.execPath, script, 'signal', 'SIGCONT', pidFile],
      };
    },
    async close() {
      await Promise.all([...nodes.values()].map((n) => n.stop()));
      control.close();
      await toxiproxy.close();
      await Promise.all(leases.map((l) => l.stop().catch(() => undefined)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
