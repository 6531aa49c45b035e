import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';
import { recoveryBounds, SPEC_DEFAULT_TIMINGS } from '../nemesis/recovery.ts';
import { readRecoveryTimings } from '../nemesis/target-timings.ts';

/**
 * Recovery bounds come from the target: a node that publishes its own breaker reset in GET /spec is judged by
 * it, whatever the local deployment's timings are; what GET /spec does not publish comes from what the runner
 * set, else SPEC.md's defaults; and the bound says where each part came from.
 */
describe('recovery bounds from the target', () => {
  const servers: ServerProcess[] = [];
  beforeAll(async () => {
    // Two "staging" nodes on loopback with breaker resets of their own, the second longer.
    servers.push(await startServer({ env: { LOG_LEVEL: 'warn', BREAKER_RESET_TIMEOUT_MS: '4321' } }));
    servers.push(await startServer({ env: { LOG_LEVEL: 'warn', BREAKER_RESET_TIMEOUT_MS: '6000' } }));
  }, 60_000);
  afterAll(async () => {
    for (const s of servers) await s.dispose();
  });

  it("takes the breaker reset from each node's GET /spec (the longest) and the unpublished timings from SPEC.md's defaults", async () => {
    const t = await readRecoveryTimings([{ name: 'node-1', url: servers[0]!.url }, { name: 'node-2', url: servers[1]!.url }], {});
    expect(t.BREAKER_RESET_TIMEOUT_MS.ms).toBe(6_000);
    expect(t.BREAKER_RESET_TIMEOUT_MS.from).toMatch(/GET \/spec breakers\.resetTimeoutMs of node-1, node-2 \(the longest: node-1 4321, node-2 6000\)/);
    expect(t.DEPENDENCY_TIMEOUT_MS).toEqual({ ms: SPEC_DEFAULT_TIMINGS.DEPENDENCY_TIMEOUT_MS, from: expect.stringMatching(/SPEC\.md's defaults/) });
    expect(t.REDIS_RECONNECT_MAX_MS.ms).toBe(SPEC_DEFAULT_TIMINGS.REDIS_RECONNECT_MAX_MS);
    const b = recoveryBounds(t);
    // Judged by its own timings: a longer published reset makes the bound longer by exactly the difference.
    const local = recoveryBounds({ ...t, BREAKER_RESET_TIMEOUT_MS: { ms: 4_321, from: 'x' } });
    expect(b.healthyMs - local.healthyMs).toBe(6_000 - 4_321);
    expect(b.basis).toMatch(/breaker reset 6000 .*Timings: breaker reset from GET \/spec/);
    expect(b.basis).toMatch(/dependency timeout, Redis reconnect max, probe interval from SPEC\.md's defaults/);
  });

  it('prefers the timings the runner set over the defaults, and the published reset over the one it set', async () => {
    const t = await readRecoveryTimings([{ name: 'node-1', url: servers[0]!.url }], { BREAKER_RESET_TIMEOUT_MS: '1500', DEPENDENCY_TIMEOUT_MS: '1000', REDIS_RECONNECT_MAX_MS: '800', DEPENDENCY_PROBE_INTERVAL_MS: '200' });
    expect(t.BREAKER_RESET_TIMEOUT_MS.ms).toBe(4_321);
    expect(t.DEPENDENCY_TIMEOUT_MS).toEqual({ ms: 1_000, from: expect.stringMatching(/set by the runner/) });
    expect(t.DEPENDENCY_PROBE_INTERVAL_MS.ms).toBe(200);
  });

  it('takes what GET /spec does not publish from the config (source "config"), over what the runner set; the published reset wins over the config\'s', async () => {
    const configured = { breakerResetMs: 9_999, dependencyTimeoutMs: 700, redisReconnectMaxMs: 1_200 };
    const t = await readRecoveryTimings([{ name: 'node-1', url: servers[0]!.url }], { DEPENDENCY_TIMEOUT_MS: '1000', DEPENDENCY_PROBE_INTERVAL_MS: '200' }, configured);
    expect(t.DEPENDENCY_TIMEOUT_MS).toEqual({ ms: 700, from: 'config (not in GET /spec)' });
    expect(t.REDIS_RECONNECT_MAX_MS).toEqual({ ms: 1_200, from: 'config (not in GET /spec)' });
    expect(t.DEPENDENCY_PROBE_INTERVAL_MS.ms).toBe(200);
    expect(t.BREAKER_RESET_TIMEOUT_MS.ms).toBe(4_321);
    expect(t.BREAKER_RESET_TIMEOUT_MS.from).toMatch(/GET \/spec .*; the config's timings\.breakerResetMs 9999 not used: the published value wins/);
    expect(recoveryBounds(t).basis).toMatch(/dependency timeout, Redis reconnect max from config \(not in GET \/spec\)/);
    // Not answered: the config's reset is used, and says so.
    const gone = await readRecoveryTimings([{ name: 'gone', url: 'http://127.0.0.1:9' }], {}, configured);
    expect(gone.BREAKER_RESET_TIMEOUT_MS).toEqual({ ms: 9_999, from: 'config (GET /spec not answered)' });
  });

  it('falls back, and says so, when GET /spec is not answered', async () => {
    const t = await readRecoveryTimings([{ name: 'gone', url: 'http://127.0.0.1:9' }], {});
    expect(t.BREAKER_RESET_TIMEOUT_MS).toEqual({ ms: SPEC_DEFAULT_TIMINGS.BREAKER_RESET_TIMEOUT_MS, from: expect.stringMatching(/GET \/spec not answered/) });
  });
});
