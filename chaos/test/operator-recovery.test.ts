import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDeploymentUnavailable, startLocalDeployment, type Deployment } from '../deployment/local-deployment.ts';
import type { ChaosOptions, ScenarioResult } from '../scenario.ts';
import { DEPENDENCY_SCENARIO_TABLE } from '../scenarios/dependencies/index.ts';
import { judgeOperatorRecovery } from '../scenarios/dependencies/operator-recovery-verdict.ts';
import type { NodeRecovery } from '../scenarios/dependencies/operator-recovery.ts';
import { referenceServerCommand } from '../../testbed/targets/target-process.ts';

/**
 * BRK-5 where an operator uses it: db-down-manual-recovery heals the database while every store breaker is
 * still open and calls POST /admin/socket/recovery on each node. The clean reference passes it; the faulty
 * build `recovery-keeps-breakers-open` (answers every breaker closed, closes none) fails it.
 */
const OPTIONS: ChaosOptions = { clients: 4, rate: 2, kills: 1, killDelayMs: { min: 500, max: 1_000 }, cutMs: 2_000, latencyMs: 200, phaseMs: 1_000, seed: 1, maxMessages: 2_000, drainMs: 15_000 };
const unavailable = await localDeploymentUnavailable();
const SKIP = unavailable ? `the dependency scenarios need local Redis and PostgreSQL: ${unavailable}` : false;

function deploymentWith(faults?: string): Promise<Deployment> {
  const ref = referenceServerCommand();
  return startLocalDeployment({ ...ref, env: { ...ref.env, ...(faults ? { SOCKPROOF_FAULTS: faults } : {}) } }, 2);
}

function run(deployment: Deployment): Promise<Omit<ScenarioResult, 'name' | 'durationS'>> {
  return DEPENDENCY_SCENARIO_TABLE['db-down-manual-recovery'].run({ target: undefined as never, options: OPTIONS, signal: new AbortController().signal, say: () => {}, deployment });
}

type Figures = Record<string, { answered: number; closedInAnswer: boolean; sendAfter: string; recoveryToAckMs: number | null; ownHalfOpenInMs: number; resetTimeoutMs: number }>;

describe.skipIf(SKIP)('db-down-manual-recovery on two reference nodes on real Redis and PostgreSQL', () => {
  let deployment: Deployment;
  beforeAll(async () => {
    deployment = await deploymentWith();
  }, 60_000);
  afterAll(async () => {
    await deployment?.close();
  });

  it('passes: every breaker closed at once by the recovery, a send on each node acked before its breaker would half-open, nothing lost', async () => {
    const r = await run(deployment);
    expect(r.verdict, r.reason).toBe('pass');
    expect(r.history).toMatchObject({ exactlyOnce: true, lost: 0, duplicated: 0 });
    const f = r.figures.operatorRecovery as Figures;
    expect(Object.keys(f)).toEqual(['node-1', 'node-2']);
    for (const node of Object.values(f)) {
      expect(node).toMatchObject({ answered: 200, closedInAnswer: true, sendAfter: 'ok' });
      // The ack came before the breaker's own half-open time: the recovery closed it, not the reset timeout.
      expect(node.recoveryToAckMs!).toBeLessThan(node.ownHalfOpenInMs);
    }
    expect((r.figures.breakersDuring as Record<string, string[]>).store).toContain('open');
  }, 120_000);
});

describe.skipIf(SKIP)('db-down-manual-recovery catches a recovery route that closes nothing', () => {
  it("recovery-keeps-breakers-open fails it: the answer says closed, the send right after is refused, the breakers read back open", async () => {
    const deployment = await deploymentWith('recovery-keeps-breakers-open');
    try {
      const r = await run(deployment);
      expect(r.verdict, r.reason).toBe('fail');
      expect(r.reason).toMatch(/send right after the recovery was answered UNAVAILABLE .*the recovery did not close it \(BRK-5\)/);
      expect(r.reason).toMatch(/breakers read back right after the recovery not closed: store open \(BRK-5\)/);
      // Nothing else is wrong with it: stored exactly once, and the breakers closed by themselves later.
      expect(r.history).toMatchObject({ exactlyOnce: true, lost: 0, duplicated: 0 });
      expect(r.reason).not.toMatch(/never all closed after the heal/);
    } finally {
      await deployment.close();
    }
  }, 120_000);
});

describe('the operator-recovery verdict (pure)', () => {
  const closed = { state: 'closed' as const, failures: 0, trips: 1, since: new Date(0).toISOString(), policy: { failureThreshold: 5, windowMs: 60_000, resetTimeoutMs: 1_500 } };
  const node = (over: Partial<NodeRecovery> = {}): NodeRecovery => ({
    node: 'node-1',
    halfOpenAt: 1_000,
    resetTimeoutMs: 1_500,
    recoveredAt: 100,
    status: 200,
    answer: { ok: true, breakers: { store: closed } },
    readBack: { store: closed },
    send: { at: 110, ms: 20, ok: true, code: undefined, retryAfterMs: undefined },
    ...over,
  });
  it('holds a node to each part of BRK-5 and names what broke', () => {
    expect(judgeOperatorRecovery({ judged: true, healAt: 90, nodes: [node()] })).toEqual([]);
    expect(judgeOperatorRecovery({ judged: true, healAt: 90, nodes: [node({ status: 404, answer: undefined })] })[0]).toMatch(/answered 404.*not RecoveryResponse/);
    expect(judgeOperatorRecovery({ judged: true, healAt: 90, nodes: [node({ answer: { ok: true, breakers: { store: { ...closed, state: 'open' } } } })] })[0]).toMatch(/answered with breakers not closed: store open/);
    expect(judgeOperatorRecovery({ judged: true, healAt: 90, nodes: [node({ readBack: { store: { ...closed, state: 'halfOpen' } } })] })[0]).toMatch(/read back .* store halfOpen/);
    expect(judgeOperatorRecovery({ judged: true, healAt: 90, nodes: [node({ send: { at: 110, ms: 5, ok: false, code: 'UNAVAILABLE', retryAfterMs: 800 } })] })[0]).toMatch(/UNAVAILABLE with retryAfterMs 800, 900 ms before/);
    expect(judgeOperatorRecovery({ judged: true, healAt: 90, nodes: [node({ send: { at: 110, ms: 2_000, ok: true, code: undefined, retryAfterMs: undefined } })] })[0]).toMatch(/after the store breaker's own half-open time/);
    expect(judgeOperatorRecovery({ judged: false, healAt: 90, why: 'never open' })).toEqual(['BRK-5 not judged: never open']);
  });
});
