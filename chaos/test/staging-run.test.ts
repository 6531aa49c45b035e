import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChaosConfig } from '../config/load-config.ts';
import { localDeploymentUnavailable } from '../deployment/local-deployment.ts';
import { openStagingDeployment } from '../deployment/staging-deployment.ts';
import type { ChaosOptions } from '../scenario.ts';
import { DEPENDENCY_SCENARIO_TABLE } from '../scenarios/dependencies/index.ts';
import { startStagingStandIn, type StagingStandIn } from './staging-stand-in.ts';
import { referenceServerCommand, TargetProcess } from '../../testbed/targets/target-process.ts';
import { runCli } from '../../testing/run-cli.ts';
import { REPO_ROOT } from '../../testbed/repo-root.ts';
import { startTlsTerminator, type TlsTerminator } from '../../testbed/services/tls-terminator.ts';
import { waitFor } from '../../testbed/wait.ts';
import { DEPENDENCY_TIMINGS } from '../../testbed/services/proxied-dependencies.ts';
import { randomBytes } from 'node:crypto';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { HTTP_PATHS, mintToken, RelaxationList, RELAXATIONS_PATH, SpecDocument } from '../../spec/index.ts';
import { connectUser, type ChatClient } from '../../testbed/clients/chat-client.ts';
import { adminRequest, createChannel, getJson } from '../../testing/admin.ts';
import { sendMessages } from '../../testing/send-messages.ts';

/**
 * "Staging", played on this machine: two reference nodes the test starts on throw-away Redis and PostgreSQL
 * behind a fault proxy that stands for staging's Toxiproxy (proxies named staging-redis, staging-postgres),
 * node-1 behind a TLS terminator with a self-signed certificate (its CA file passed by the config), and hooks
 * that are small node scripts: signal the node's process group read from a pid file, or ask the test to restart it.
 */
const SECRET = 'staging-secret-that-must-never-be-printed-0123456789';
const ENV_NAME = 'SOCKPROOF_TEST_STAGING_SECRET';
const OPTIONS: ChaosOptions = { clients: 4, rate: 2, kills: 1, killDelayMs: { min: 500, max: 1_000 }, cutMs: 2_000, latencyMs: 200, phaseMs: 1_000, seed: 1, maxMessages: 2_000, drainMs: 15_000 };

const unavailable = await localDeploymentUnavailable();
const SKIP = unavailable ? `staging is played with local Redis and PostgreSQL: ${unavailable}` : false;

/** The stand-in staging, node-1 also over https: a TLS terminator with a self-signed certificate for 127.0.0.1 (ca.pem). */
interface Staging extends StagingStandIn {
  tlsFront: TlsTerminator;
  httpsUrl: string;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function startStaging(): Promise<Staging> {
  const staging = await startStagingStandIn({ dirPrefix: 'sockproof-staging-', secret: SECRET });
  const tlsFront = await startTlsTerminator({ upstreamPort: Number(new URL(staging.nodes.get('node-1')!.url).port), hostname: '127.0.0.1', dir: staging.dir });
  return { ...staging, tlsFront, httpsUrl: tlsFront.url };
}

describe.skipIf(SKIP)('chaos against staging by configuration (staging played by the test on loopback)', () => {
  let s: Staging;
  beforeAll(async () => {
    s = await startStaging();
  }, 120_000);
  afterAll(async () => {
    if (!s) return;
    await s.tlsFront.close();
    await s.close();
  }, 60_000);

  async function proxiesOfStaging(): Promise<Record<string, boolean>> {
    const all = await new Toxiproxy(s.toxiproxy.url).getAll();
    return Object.fromEntries(Object.entries(all).map(([name, p]) => [name, p.enabled]));
  }

  /** Writes a config file for the staged deployment (HS256, the secret by its environment variable); returns its path. */
  async function writeConfig(name: string, body: Record<string, unknown>): Promise<string> {
    const file = join(s.dir, name);
    await writeFile(file, JSON.stringify({ auth: { kind: 'hs256', secret: { env: ENV_NAME } }, ...body }));
    return file;
  }
  const stagingProxies = () => s.proxies();

  /**
   * No node's table was replaced or restored (FIX-2 logs both; the reference logs at warn, and a replaced table
   * is a warning), while the run's FIX-4 relaxation was logged: the logs are read, not empty.
   */
  function expectNoFix2Call(): void {
    const lines = [...s.nodes.values()].flatMap((n) => n.logLines);
    expect(lines.filter((l) => l.includes('rate limits replaced at run time') || l.includes('rate limits restored to the configured table'))).toEqual([]);
    expect(lines.some((l) => l.includes('rate limits relaxed for some users'))).toBe(true);
  }

  /** The ids of the relaxations a node applies now (GET /admin/limits/relaxations). */
  async function liveRelaxations(url: string): Promise<string[]> {
    const { status, body } = await adminRequest({ url, secret: SECRET }, 'GET', RELAXATIONS_PATH);
    expect(status).toBe(200);
    return RelaxationList.parse(body).relaxations.map((r) => r.id);
  }

  it("a staging run relaxes the limits for its own users only, on every node: a user not in the run is held to staging's table, and no FIX-2 call is made", async () => {
    const file = await writeConfig('limits.json', { nodes: ['node-1', 'node-2'].map((name) => ({ name, url: s.nodes.get(name)!.url })), scenarios: ['latency'] });
    const staging = await openStagingDeployment(await loadChaosConfig(file, { [ENV_NAME]: SECRET }));
    const clients: ChatClient[] = [];
    let relaxationId: string | undefined;
    try {
      expect(staging.notes.join('\n')).toMatch(/rate limits: relaxed for the run's own users only .*FIX-4 relaxation sockproof-run-[0-9a-f]{12}.*on every node/);
      // Put through node-1; observed on node-2, which applies it by FIX-4's propagation (admit waits for it).
      const node2 = { url: s.nodes.get('node-2')!.url, secret: SECRET };
      const table = (await getJson(`${node2.url}${HTTP_PATHS.spec}`, SpecDocument)).body.limits.rateLimits['message:send'];
      const tag = randomBytes(4).toString('hex');
      const channelId = `limits-${tag}`;
      await createChannel(node2, { id: channelId });
      await staging.admit!([`run-user-${tag}`]);
      [relaxationId] = await liveRelaxations(node2.url);
      expect(relaxationId).toMatch(/^sockproof-run-[0-9a-f]{12}$/);
      const [runUser, outsider] = await Promise.all([`run-user-${tag}`, `outsider-${tag}`].map((u) => connectUser(node2, u)));
      clients.push(runUser!, outsider!);
      for (const c of clients) expect((await c.call('channel:join', { channelId })).ok).toBe(true);
      expect(await sendMessages(runUser!, channelId, `run-${tag}`, table.points + 5)).toEqual(Array(table.points + 5).fill('ok'));
      expect(await sendMessages(outsider!, channelId, `out-${tag}`, table.points + 1)).toEqual([...Array(table.points).fill('ok'), 'RATE_LIMITED']);
    } finally {
      clients.forEach((c) => c.close());
      await staging.close();
    }
    expect(await liveRelaxations(s.nodes.get('node-1')!.url)).not.toContain(relaxationId);
    expectNoFix2Call();
  }, 60_000);

  /** The CLI with the secret in its environment only for this run. */
  const runWithSecret = (args: string[], timeoutMs: number) => runCli(args, timeoutMs, { [ENV_NAME]: SECRET });

  it('a single node without Redis forgets the relaxation when it restarts: the runner puts it again after the restart hook', async () => {
    // A third node, alone: no REDIS_URL, so its relaxations live in its memory only.
    const { RATE_LIMITS: _relaxed, ...env } = referenceServerCommand().env ?? {};
    const solo = await TargetProcess.start({ ...referenceServerCommand(), env, jwtSecret: SECRET });
    s.nodes.set('solo', solo);
    await writeFile(join(s.dir, 'solo.pid'), String(solo.pid));
    const file = await writeConfig('solo.json', { nodes: [{ name: 'solo', url: solo.url, hooks: s.hooksFor('solo') }], scenarios: ['kill'] });
    const staging = await openStagingDeployment(await loadChaosConfig(file, { [ENV_NAME]: SECRET }));
    const tag = randomBytes(4).toString('hex');
    try {
      const [relaxationId] = await liveRelaxations(solo.url);
      expect(relaxationId).toMatch(/^sockproof-run-[0-9a-f]{12}$/);
      await staging.admit!([`run-user-${tag}`]);
      const kill = staging.nodeFaults('solo').find((f) => f.name === 'kill')!;
      await kill.start();
      await waitFor('solo exits', () => !solo.isRunning, 10_000, 20);
      await kill.heal();
      expect(solo.restarts).toBe(1);
      expect(await liveRelaxations(solo.url)).toEqual([relaxationId]);
      // The put after the restart kept the run's users: one of them still sends past the table's limit.
      const table = (await getJson(`${solo.url}${HTTP_PATHS.spec}`, SpecDocument)).body.limits.rateLimits['message:send'];
      await createChannel({ url: solo.url, secret: SECRET }, { id: `solo-${tag}` });
      const runUser = await connectUser({ url: solo.url, secret: SECRET }, `run-user-${tag}`);
      try {
        expect((await runUser.call('channel:join', { channelId: `solo-${tag}` })).ok).toBe(true);
        expect(await sendMessages(runUser, `solo-${tag}`, `solo-${tag}`, table.points + 2)).toEqual(Array(table.points + 2).fill('ok'));
      } finally {
        runUser.close();
      }
    } finally {
      await staging.close();
    }
    expect(await liveRelaxations(solo.url)).toEqual([]);
  }, 60_000);

  it('the dependency scenarios run unchanged on the staging deployment; kill/restart and pause/resume go through the hooks', async () => {
    const file = await writeConfig('plain.json', {
      nodes: ['node-1', 'node-2'].map((name) => ({ name, url: s.nodes.get(name)!.url, hooks: s.hooksFor(name) })),
      toxiproxy: stagingProxies(),
      scenarios: ['redis-down', 'db-down', 'kill'],
      hookTimeoutS: 30,
    });
    const config = await loadChaosConfig(file, { [ENV_NAME]: SECRET });
    const staging = await openStagingDeployment(config);
    try {
      const deployment = { ...staging, dependencies: staging.dependencies! };
      const r = await DEPENDENCY_SCENARIO_TABLE['redis-down'].run({ target: undefined as never, options: OPTIONS, signal: new AbortController().signal, say: () => {}, deployment });
      expect(r.verdict, r.reason).toBe('pass');
      expect(r.history).toMatchObject({ exactlyOnce: true, lost: 0, duplicated: 0 });
      expect(r.figures.healthDuring).toEqual({ 'node-1': ['degraded'], 'node-2': ['degraded'] });

      const node2 = s.nodes.get('node-2')!;
      const pidBefore = node2.pid;
      const faults = new Map(staging.nodeFaults('node-2').map((f) => [f.name, f]));
      expect([...faults.keys()]).toEqual(['kill', 'pause']);
      await faults.get('kill')!.start();
      // The hook returned once it sent SIGKILL; the node's exit reaches this process a moment later.
      await waitFor('node-2 exits', () => !node2.isRunning, 10_000, 20);
      await faults.get('kill')!.heal();
      expect(node2.isRunning).toBe(true);
      expect(node2.pid).not.toBe(pidBefore);
      await faults.get('pause')!.start();
      await expect(fetch(`${node2.url}/health/socket`, { signal: AbortSignal.timeout(500) })).rejects.toThrow();
      await faults.get('pause')!.heal();
      expect((await fetch(`${node2.url}/health/socket`, { signal: AbortSignal.timeout(5_000) })).status).toBe(200);
      expect(staging.hookRuns.map((h) => [h.node, h.hook, h.exitCode, h.timedOut])).toEqual([
        ['node-2', 'kill', 0, false],
        ['node-2', 'restart', 0, false],
        ['node-2', 'pause', 0, false],
        ['node-2', 'resume', 0, false],
      ]);
      expect(staging.hookRuns[1]!.output).toBe('restart answered 200');
    } finally {
      await staging.close();
    }
    expect(staging.notes.join('\n')).toMatch(/rate limits: relaxed for the run's own users only .*FIX-4 relaxation sockproof-run-[0-9a-f]{12}/);
    expect(staging.notes.join('\n')).toMatch(/relaxation sockproof-run-[0-9a-f]{12} ended with DELETE; the other users never had theirs relaxed/);
    expectNoFix2Call();
    // Healed and left in place: staging's proxies are not the run's to remove.
    expect(await proxiesOfStaging()).toEqual({ 'staging-redis': true, 'staging-postgres': true });
  }, 150_000);

  it('a staging that verifies tokens from a JWKS: every token of the run (users, probe, reader, admin fixtures) signed with the configured key; db-down, latency, partition and kill pass', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    await writeFile(join(s.dir, 'jwks-key.pem'), await exportPKCS8(pair.privateKey), { mode: 0o600 });
    const keys = [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }];
    const jwks = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys })));
    const jwksUrl = `http://127.0.0.1:${await listen(jwks)}/jwks.json`;
    const { RATE_LIMITS: _relaxed, ...refEnv } = referenceServerCommand().env ?? {};
    const node = await TargetProcess.start({
      ...referenceServerCommand(),
      env: { ...refEnv, ...s.env, NODE_ID: 'jwks', JWT_SECRET: '', JWT_JWKS_URL: jwksUrl, JWT_ISSUER: 'https://issuer.test', JWT_AUDIENCE: 'chat' },
    });
    s.nodes.set('jwks', node);
    await writeFile(join(s.dir, 'jwks.pid'), String(node.pid));
    try {
      const file = join(s.dir, 'jwks.json');
      await writeFile(file, JSON.stringify({
        nodes: [{ name: 'jwks', url: node.url, hooks: s.hooksFor('jwks') }],
        toxiproxy: stagingProxies(),
        auth: { kind: 'jwks', privateKey: { file: 'jwks-key.pem' }, alg: 'ES256', kid: 'k1', issuer: 'https://issuer.test', audience: 'chat' },
        scenarios: ['db-down', 'latency', 'partition', 'kill'],
      }));
      const staging = await openStagingDeployment(await loadChaosConfig(file, {}));
      try {
        expect(staging.notes.join('\n')).toMatch(/FIX-4 relaxation sockproof-run-[0-9a-f]{12}/);
        const deployment = { ...staging, dependencies: staging.dependencies! };
        const r = await DEPENDENCY_SCENARIO_TABLE['db-down'].run({ target: undefined as never, options: OPTIONS, signal: new AbortController().signal, say: () => {}, deployment });
        expect(r.verdict, r.reason).toBe('pass');
        expect(r.history).toMatchObject({ exactlyOnce: true, lost: 0, duplicated: 0 });
      } finally {
        await staging.close();
      }
      expect(staging.notes.join('\n')).toMatch(/relaxation sockproof-run-[0-9a-f]{12} ended with DELETE/);
      // The single-node scenarios through the CLI: their clients, fixtures and final history read all take the key's tokens.
      const cli = await runCli(['chaos', '--config', file, '--scenarios', 'latency,partition,kill', '--kills', '1', '--clients', '2', '--rate', '2', '--phase-ms', '1000', '--cut-ms', '1500', '--timeout', '180'], 200_000);
      expect(cli.code, cli.stdout + cli.stderr).toBe(0);
      for (const name of ['latency', 'partition', 'kill']) expect(cli.stdout).toMatch(new RegExp(`${name}\\s+PASS`));
      expect(cli.stdout).toMatch(/hooks: jwks kill x1 .*jwks restart x1/);
      expect(cli.stdout).toMatch(/auth \(jwks\): every token of the run signed with the configured private key \(kid k1\)/);
      expect(cli.stdout).toMatch(/relaxation sockproof-run-[0-9a-f]{12} ended with DELETE/);
      // The node verifies with the JWKS only: a token signed with staging's HS256 secret is refused.
      const refused = await fetch(`${node.url}${RELAXATIONS_PATH}`, { headers: { authorization: `Bearer ${await mintToken(SECRET, { sub: 'x', roles: ['admin'] })}` } });
      expect(refused.status).toBe(401);
    } finally {
      s.nodes.delete('jwks');
      await node.stop();
      jwks.close();
    }
  }, 360_000);

  it("tokens supplied by the operator: the run's users are the file's, the fixtures use the admin token; latency, partition, kill and db-down pass and no token is printed or written", async () => {
    // Staging's identity provider, played by the test: tokens for six named users and an admin, signed with staging's secret.
    const subs = Array.from({ length: 6 }, (_, i) => `operator-user-${i}`);
    const tokens = await Promise.all(subs.map((sub) => mintToken(SECRET, { sub, ttlSec: 3_600 })));
    const admin = await mintToken(SECRET, { sub: 'operator-admin', roles: ['admin'], ttlSec: 3_600 });
    await writeFile(join(s.dir, 'operator-tokens.jsonl'), tokens.map((token, i) => JSON.stringify(i % 2 ? { token } : { sub: subs[i], token })).join('\n'), { mode: 0o600 });
    const file = await writeConfig('operator.json', {
      nodes: [
        { name: 'node-2', url: s.nodes.get('node-2')!.url, hooks: s.hooksFor('node-2') },
        { name: 'node-1', url: s.nodes.get('node-1')!.url },
      ],
      toxiproxy: stagingProxies(),
      auth: { kind: 'tokens', users: { fileEnv: 'SOCKPROOF_TEST_TOKENS_FILE' }, admin: { env: 'SOCKPROOF_TEST_ADMIN_TOKEN' } },
      scenarios: ['latency', 'partition', 'kill', 'db-down'],
    });
    const out = join(s.dir, 'operator-report');
    const logsBefore = new Map([...s.nodes].map(([n, p]) => [n, p.logLines.length]));
    const r = await runCli(
      ['chaos', '--config', file, '--scenarios', 'latency,partition,kill,db-down', '--kills', '1', '--clients', '2', '--rate', '2', '--phase-ms', '1000', '--cut-ms', '1500', '--timeout', '240', '--out', out],
      300_000,
      { SOCKPROOF_TEST_TOKENS_FILE: join(s.dir, 'operator-tokens.jsonl'), SOCKPROOF_TEST_ADMIN_TOKEN: admin },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const name of ['latency', 'partition', 'kill', 'db-down']) expect(r.stdout).toMatch(new RegExp(`${name}\\s+PASS`));
    expect(r.stdout).toMatch(/auth \(tokens\): every token of the run 6 user token\(s\) supplied by the operator/);
    expect(r.stdout).toMatch(/relaxation sockproof-run-[0-9a-f]{12} ended with DELETE/);
    // The runner holds no secret here, so every user token it used was one of the file's; the fixtures used the admin token.
    const logs = [...s.nodes].flatMap(([n, p]) => p.logLines.slice(logsBefore.get(n) ?? 0)).join('\n');
    expect(logs).toMatch(/"userId":"operator-admin".*rate limits relaxed for some users/);
    const written = await Promise.all((await readdir(out)).map((f) => readFile(join(out, f), 'utf8')));
    expect(written.length).toBeGreaterThanOrEqual(4);
    for (const text of [r.stdout, r.stderr, ...written]) for (const t of [...tokens, admin, SECRET]) expect(text).not.toContain(t);
    expectNoFix2Call();
  }, 320_000);

  it('behind one load balancer URL the dependency scenarios run on it as the one node "lb", and say that each look reached one node, not each', async () => {
    // node-2 stands in for the load balancer: every client and every health look goes through the one URL.
    const file = await writeConfig('lb.json', { loadBalancer: s.nodes.get('node-2')!.url, toxiproxy: stagingProxies(), scenarios: ['db-down'] });
    const staging = await openStagingDeployment(await loadChaosConfig(file, { [ENV_NAME]: SECRET }));
    try {
      expect(staging.notes[0]).toMatch(/one load balancer http:\/\/127\.0\.0\.1:\d+ \(each health sample and client connection reaches one node behind it, .*labelled lb: .*not each node's health/);
      const deployment = { ...staging, dependencies: staging.dependencies! };
      const r = await DEPENDENCY_SCENARIO_TABLE['db-down'].run({ target: undefined as never, options: OPTIONS, signal: new AbortController().signal, say: () => {}, deployment });
      expect(r.verdict, r.reason).toBe('pass');
      expect(r.figures.healthDuring).toEqual({ lb: ['degraded'] });
      // The figures are the load balancer's, and say so: none claims to cover each node behind it.
      expect(Object.keys(r.figures.healToHealthyMs as object)).toEqual(['lb']);
      expect(r.figures.coverage).toMatch(/^load balancer: each health sample .* one node behind it/);
      expect(r.reason).toMatch(/\(through a load balancer: one node per look, not each node\)$/);
      expect(r.history).toMatchObject({ exactlyOnce: true, lost: 0, duplicated: 0 });
    } finally {
      await staging.close();
    }
  }, 90_000);

  it('sockproof chaos --config: an https node trusted through the config\'s CA file, the secret from the environment and never in any output or report', async () => {
    const file = await writeConfig('staging.json', {
      nodes: [
        { name: 'node-1', url: s.httpsUrl, hooks: s.hooksFor('node-1') },
        { name: 'node-2', url: s.nodes.get('node-2')!.url },
      ],
      toxiproxy: stagingProxies(),
      tls: { caFile: 'ca.pem' },
      scenarios: ['db-down', 'redis-latency', 'kill'],
      // Staging's own timings GET /spec does not publish, as its operator knows them (the stand-in's short ones).
      timings: { dependencyTimeoutMs: Number(DEPENDENCY_TIMINGS.DEPENDENCY_TIMEOUT_MS), redisReconnectMaxMs: Number(DEPENDENCY_TIMINGS.REDIS_RECONNECT_MAX_MS), probeIntervalMs: Number(DEPENDENCY_TIMINGS.DEPENDENCY_PROBE_INTERVAL_MS) },
    });
    const out = join(s.dir, 'report');
    const r = await runWithSecret(['chaos', '--config', file, '--scenarios', 'db-down,kill', '--kills', '1', '--clients', '4', '--rate', '2', '--phase-ms', '1000', '--cut-ms', '2000', '--timeout', '120', '--out', out], 180_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/db-down\s.*PASS/i);
    // The kill scenario killed and restarted node-1 through its hooks, and the run says what they did.
    expect(r.stdout).toMatch(/kill\s+PASS .*1 kill\(s\)/);
    expect(r.stdout).toMatch(/hooks: node-1 kill x1 \(max \d+ ms\), node-1 restart x1 \(max \d+ ms\)/);
    expect(r.stdout).toMatch(/deployment: staging from .*node-1 https:\/\/127\.0\.0\.1:\d+, node-2 http:\/\/127\.0\.0\.1:\d+.*TLS trusted with .*ca\.pem/);
    expect(r.stdout).toMatch(/relaxation sockproof-run-[0-9a-f]{12} ended with DELETE/);
    expectNoFix2Call();
    const written = await Promise.all((await readdir(out)).map((f) => readFile(join(out, f), 'utf8')));
    expect(written.length).toBeGreaterThanOrEqual(4);
    for (const text of [r.stdout, r.stderr, ...written]) expect(text).not.toContain(SECRET);
    // The recovery bounds name each timing's source: the breaker reset from the nodes, the rest from the config.
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { results: Array<{ id: string; figures?: { recoveryBounds?: { basis: string } } }> };
    const basis = report.results.find((x) => x.id === 'DB-DOWN')?.figures?.recoveryBounds?.basis;
    expect(basis).toMatch(new RegExp(`dependency timeout ${DEPENDENCY_TIMINGS.DEPENDENCY_TIMEOUT_MS} \\+ Redis reconnect max ${DEPENDENCY_TIMINGS.REDIS_RECONNECT_MAX_MS} `));
    expect(basis).toMatch(/breaker reset from GET \/spec breakers\.resetTimeoutMs of node-1, node-2; dependency timeout, Redis reconnect max, probe interval from config \(not in GET \/spec\)/);
    // A scenario the file does not allow is refused before anything runs; without the CA file node-1 is not trusted.
    const { tls: _tls, auth: _auth, ...rest } = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    const noCa = await runWithSecret(['chaos', '--config', await writeConfig('no-ca.json', rest), '--scenarios', 'db-down'], 60_000);
    expect(noCa.code).toBe(2);
    expect(noCa.stderr).toMatch(/https:\/\/127\.0\.0\.1:\d+ is not reachable: .*(SELF_SIGNED|self.signed|certificate)/i);
    const refused = await runWithSecret(['chaos', '--config', file, '--scenarios', 'partition'], 60_000);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/partition: not among the scenarios .* allows \(db-down, redis-latency, kill\)/);
  }, 240_000);

  it('sockproof chaos --config --schedule: the nemesis kills and pauses the target through its hooks, partitions the runner\'s own path; every checker valid', async () => {
    const file = await writeConfig('nemesis.json', { nodes: [{ name: 'node-2', url: s.nodes.get('node-2')!.url, hooks: s.hooksFor('node-2') }], scenarios: ['nemesis'] });
    const schedule = join(s.dir, 'schedule.json');
    await writeFile(schedule, JSON.stringify({ durationMs: 7_000, windows: [{ fault: 'kill', startMs: 1_000, healMs: 1_500 }, { fault: 'pause', startMs: 3_500, healMs: 4_500 }, { fault: 'partition', startMs: 5_500, healMs: 6_000 }] }));
    const r = await runWithSecret(['chaos', '--config', file, '--schedule', schedule, '--clients', '3', '--rate', '2', '--phase-ms', '1000', '--timeout', '120', '--json'], 180_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { scenarios: Array<{ verdict: string; reason: string }>; notes: string[]; hooks: Array<{ node: string; hook: string; exitCode: number | null; timedOut: boolean; durationMs: number }> };
    expect(out.scenarios[0]!.verdict, out.scenarios[0]!.reason).toBe('pass');
    expect(out.scenarios[0]!.reason).toMatch(/1 kill\(s\), 3 window\(s\)/);
    expect(out.scenarios[0]!.reason).not.toMatch(/left out/);
    // Each hook run is in the output with its exit code and duration; the notes summarise them.
    expect(out.hooks.map((h) => [h.node, h.hook, h.exitCode, h.timedOut])).toEqual([
      ['node-2', 'kill', 0, false],
      ['node-2', 'restart', 0, false],
      ['node-2', 'pause', 0, false],
      ['node-2', 'resume', 0, false],
    ]);
    expect(out.notes.join('\n')).toMatch(/hooks: node-2 kill x1 \(max \d+ ms\), node-2 restart x1 \(max \d+ ms\), node-2 pause x1 \(max \d+ ms\), node-2 resume x1/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  }, 200_000);

  it('Ctrl-C during a fault window stops the run: staging\'s proxies are healed, the run\'s relaxation of the limits ended, before it exits', async () => {
    const file = await writeConfig('interrupted.json', {
      nodes: [
        { name: 'node-1', url: s.httpsUrl },
        { name: 'node-2', url: s.nodes.get('node-2')!.url },
      ],
      toxiproxy: stagingProxies(),
      tls: { caFile: 'ca.pem' },
      scenarios: ['db-down'],
    });
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/sockproof.mjs'), 'chaos', '--config', file, '--clients', '2', '--rate', '2', '--phase-ms', '1000', '--cut-ms', '30000', '--timeout', '120'], {
      cwd: REPO_ROOT,
      env: { ...process.env, [ENV_NAME]: SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await waitFor('the fault is on', () => / for 30000 ms/.test(stderr), 60_000, 100);
      expect(await proxiesOfStaging()).toMatchObject({ 'staging-postgres': false });
      child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise<'late'>((r) => setTimeout(() => r('late'), 60_000))]);
      expect(code, stderr).toBe(1); // the scenario is inconclusive: it was stopped
    } finally {
      child.kill('SIGKILL');
    }
    expect(stderr).toMatch(/stopping \(signal received/);
    expect(stdout).toMatch(/db-down\s+INCONCLUSIVE/);
    // Ended by the runner on its way out (not left to expire), and the table never touched.
    expect(stdout).toMatch(/relaxation sockproof-run-[0-9a-f]{12} ended with DELETE/);
    expect(await liveRelaxations(s.nodes.get('node-1')!.url)).toEqual([]); // the node that answered the DELETE
    expectNoFix2Call();
    expect(await proxiesOfStaging()).toEqual({ 'staging-redis': true, 'staging-postgres': true });
    expect(stdout + stderr).not.toContain(SECRET);
  }, 150_000);
});
