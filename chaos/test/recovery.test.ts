import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { History, type HistoryOp } from '../../testbed/history/history.ts';
import { SeenSeqs } from '../../testbed/clients/seen-seqs.ts';
import { judgeRecovery, recoveryBounds } from '../nemesis/recovery.ts';

const BOUNDS = recoveryBounds();

/** One fault window per entry, healed at 1 000 ms steps, and an ok send `ackAfterMs` after each heal (none when null). */
function historyOf(heals: { fault: 'kill' | 'db-down'; ackAfterMs: number | null }[]): History {
  const ops: Omit<HistoryOp, 'index'>[] = [];
  heals.forEach((h, i) => {
    const start = i * 100_000;
    const heal = start + 1_000;
    ops.push({ f: 'nemesis', process: 'nemesis', invokeMs: start, completeMs: start + 1, outcome: 'ok', value: { fault: h.fault, phase: 'start', ...(h.fault === 'kill' ? { note: 'node-2' } : {}) } });
    ops.push({ f: 'nemesis', process: 'nemesis', invokeMs: heal - 1, completeMs: heal, outcome: 'ok', value: { fault: h.fault, phase: 'heal' } });
    if (h.ackAfterMs !== null) ops.push({ f: 'send', process: 'u1', invokeMs: heal, completeMs: heal + h.ackAfterMs, outcome: 'ok', value: { channelId: 'c', authorId: 'u1', clientMsgId: `k${i}`, attempt: 1 }, result: { id: `m${i}`, seq: i + 1 } });
  });
  return History.parse({ endMs: heals.length * 100_000, ops: ops.map((o, index) => ({ ...o, index })), deliveries: [] });
}

const heal = fc.record({ fault: fc.constantFrom<'kill' | 'db-down'>('kill', 'db-down'), ackAfterMs: fc.option(fc.nat(3 * BOUNDS.firstAckMs), { nil: null }), healthyMs: fc.option(fc.nat(3 * BOUNDS.healthyMs), { nil: null }), measured: fc.boolean() });

describe('recovery after each heal', () => {
  it('is within only when the first ok ack and healthy-again both came within the bounds; late when either did not; unknown when not seen, never valid', () => {
    fc.assert(
      fc.property(fc.array(heal, { minLength: 1, maxLength: 6 }), (hs) => {
        const healthy = hs.map((h) => (h.measured ? h.healthyMs : undefined));
        const r = judgeRecovery(historyOf(hs), healthy, BOUNDS);
        expect(r.heals).toHaveLength(hs.length);
        r.heals.forEach((got, i) => {
          const h = hs[i]!;
          // The first ok ack after this heal may be a later window's (each heal is 100 000 ms after the last).
          const acks = hs.flatMap((x, j) => (j >= i && x.ackAfterMs !== null ? [(j - i) * 100_000 + x.ackAfterMs] : []));
          const firstAck = acks.length ? Math.min(...acks) : null;
          expect(got.firstAckMs).toBe(firstAck);
          const late = (firstAck !== null && firstAck > BOUNDS.firstAckMs) || (h.measured && (h.healthyMs === null || h.healthyMs > BOUNDS.healthyMs));
          const unknown = firstAck === null || !h.measured;
          expect(got.verdict).toBe(late ? 'late' : unknown ? 'unknown' : 'within');
          expect(got.node).toBe(h.fault === 'kill' ? 'node-2' : null);
        });
        const verdicts = r.heals.map((h) => h.verdict);
        expect(r.verdict).toBe(verdicts.includes('late') ? 'invalid' : verdicts.includes('unknown') ? 'unknown' : 'valid');
        expect(Object.values(r.byFault).reduce((n, f) => n + f!.heals, 0)).toBe(hs.length);
      }),
    );
  });

  it('bounds come from the deployment timings: breaker reset, dependency timeout, Redis reconnect, probe interval', () => {
    const slower = recoveryBounds({ BREAKER_RESET_TIMEOUT_MS: '5000', DEPENDENCY_TIMEOUT_MS: '1000', REDIS_RECONNECT_MAX_MS: '800', DEPENDENCY_PROBE_INTERVAL_MS: '200' });
    expect(slower.healthyMs - BOUNDS.healthyMs).toBe(3_500);
    expect(slower.firstAckMs).toBeGreaterThan(slower.healthyMs);
  });
});

describe('the seqs a client has', () => {
  it('a gap is open exactly while a seq below the highest had is missing; contiguous is where a read to fill it starts', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 })), (seqs) => {
        const had = new SeenSeqs();
        for (const s of seqs) had.add(s);
        const set = new Set(seqs);
        let upTo = 0;
        while (set.has(upTo + 1)) upTo++;
        expect(had.contiguous).toBe(upTo);
        expect(had.hasGap()).toBe(seqs.some((s) => s > upTo));
        for (let s = 1; s <= 41; s++) expect(had.has(s)).toBe(set.has(s));
      }),
    );
  });
});
