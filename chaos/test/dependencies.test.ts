import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDeploymentUnavailable, startLocalDeployment, type Deployment } from '../deployment/local-deployment.ts';
import type { ChaosOptions, DependencyScenarioName, ScenarioResult } from '../scenario.ts';
import { DEPENDENCY_SCENARIOS } from '../scenario.ts';
import { DEPENDENCY_SCENARIO_TABLE } from '../scenarios/dependencies/index.ts';
import { referenceServerCommand } from '../../testbed/targets/target-process.ts';
import { runCli } from '../../testing/run-cli.ts';

// Brief runs: 2 clients per node at 2 messages/s each, 1 s phases around a 2 s fault.
const OPTIONS: ChaosOptions = { clients: 4, rate: 2, kills: 1, killDelayMs: { min: 500, max: 1_000 }, cutMs: 2_000, latencyMs: 200, phaseMs: 1_000, seed: 1, maxMessages: 2_000, drainMs: 15_000 };
const unavailable = await localDeploymentUnavailable();
const SKIP = unavailable ? `the dependency scenarios need local Redis and PostgreSQL: ${unavailable}` : false;

function deploymentWith(faults?: string): () => Promise<Deployment> {
  const ref = referenceServerCommand();
  return () => startLocalDeployment({ ...ref, env: { ...ref.env, ...(faults ? { SOCKPROOF_FAULTS: faults } : {}) } }, 2);
}

async function run(deployment: Deployment, name: DependencyScenarioName): Promise<Omit<ScenarioResult, 'name' | 'durationS'>> {
  return DEPENDENCY_SCENARIO_TABLE[name].run({ target: undefined as never, options: OPTIONS, signal: new AbortController().signal, say: () => {}, deployment });
}

describe.skipIf(SKIP)('dependency scenarios on two reference nodes on real Redis and PostgreSQL behind the fault proxy', () => {
  let deployment: Deployment;
  beforeAll(async () => {
    deployment = await deploymentWith()();
  }, 60_000);
  afterAll(async () => {
    await deployment?.close();
  });

  it.each(DEPENDENCY_SCENARIOS)('%s passes: exactly once, delivered on both nodes, healthy again after the heal', async (name) => {
    const r = await run(deployment, name);
    expect(r.verdict, r.reason).toBe('pass');
    expect(r.history).toMatchObject({ exactlyOnce: true, lost: 0, duplicated: 0 });
    expect(r.figures).toMatchObject({ unresolved: 0, delivery: { missing: 0, outOfOrder: 0 } });
    expect(r.figures.healToFirstAckMs).toEqual(expect.any(Number));
    const healthy = r.figures.healToHealthyMs as Record<string, number | null>;
    expect(Object.keys(healthy)).toEqual(['node-1', 'node-2']);
    if (name === 'redis-down') {
      // DEG-2: sends held while Redis was cut, and flushed once it was back; health said degraded (HLTH-2).
      expect(r.figures.crossNode).toMatchObject({ maxBuffered: expect.any(Number), dropped: 0 });
      expect((r.figures.crossNode as { maxBuffered: number }).maxBuffered).toBeGreaterThan(0);
      expect(r.figures.healthDuring).toEqual({ 'node-1': ['degraded'], 'node-2': ['degraded'] });
    }
    if (name === 'db-down') {
      // DEG-3 / BRK-2: sends refused UNAVAILABLE while the store breaker was open.
      expect((r.figures.probes as Record<string, number>).UNAVAILABLE).toBeGreaterThan(0);
      expect((r.figures.breakersDuring as Record<string, string[]>).store).toContain('open');
    }
  }, 90_000);
});

describe.skipIf(SKIP)('dependency scenarios catch deliberately faulty builds', () => {
  it('a node that drops held cross-node sends (drops-held-sends) fails redis-down: clients on the other node miss them', async () => {
    const deployment = await deploymentWith('drops-held-sends')();
    try {
      const r = await run(deployment, 'redis-down');
      expect(r.verdict).toBe('fail');
      expect(r.reason).toMatch(/missed acked messages .*DEG-2/);
      expect(r.history).toMatchObject({ exactlyOnce: true }); // stored fine: only delivery across nodes is broken
    } finally {
      await deployment.close();
    }
  }, 120_000);

  it('a node that acks before the message is durable (ack-before-durable) fails db-down: acked messages are not in history', async () => {
    const deployment = await deploymentWith('ack-before-durable')();
    try {
      const r = await run(deployment, 'db-down');
      expect(r.verdict).toBe('fail');
      expect(r.reason).toMatch(/not exactly once .*DEG-3/);
      expect((r.history as { lost: number }).lost).toBeGreaterThan(0);
    } finally {
      await deployment.close();
    }
  }, 120_000);
});

describe('sockproof chaos without Redis and PostgreSQL to start', () => {
  it('runs the single-node scenarios and says which dependency scenarios were left out, and why', async () => {
    const before = process.env.SOCKPROOF_SERVICE_SOURCES;
    process.env.SOCKPROOF_SERVICE_SOURCES = 'url'; // no REDIS_URL/DATABASE_URL, and chaos needs servers it can control
    const running = runCli(['chaos', '--scenarios', 'redis-down,db-down,latency', '--clients', '2', '--rate', '4', '--phase-ms', '1000', '--json'], 120_000);
    if (before === undefined) delete process.env.SOCKPROOF_SERVICE_SOURCES;
    else process.env.SOCKPROOF_SERVICE_SOURCES = before;
    const r = await running;
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { scenarios: Array<{ name: string; verdict: string; reason: string }>; notes: string[] };
    expect(Object.fromEntries(out.scenarios.map((s) => [s.name, s.verdict]))).toEqual({ 'redis-down': 'unimplemented', 'db-down': 'unimplemented', latency: 'pass' });
    expect(out.notes.join('\n')).toMatch(/dependency scenarios left out \(redis-down, db-down\): .*redis/);
    expect(r.stderr).toMatch(/dependency scenarios left out/);
  }, 150_000);
});
