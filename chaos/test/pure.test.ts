import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckerVerdict } from '../../testbed/history/checkers/index.ts';
import type { SendRecord } from '../../testbed/clients/message-stream.ts';
import { killDelays } from '../kill-schedule.ts';
import { doubtFigures, streamVerdict } from '../stream-verdict.ts';

describe('kill schedule', () => {
  it('gives `kills` delays inside [min, max], the same for the same seed', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 10 }), fc.nat(5000), fc.nat(5000), (seed, kills, a, b) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const d = killDelays(seed, kills, min, max);
        expect(d).toHaveLength(kills);
        for (const x of d) expect(x >= min && x <= max && Number.isInteger(x)).toBe(true);
        expect(killDelays(seed, kills, min, max)).toEqual(d);
      }),
    );
  });
});

const acked = (i: number, inDoubt = false): SendRecord => ({
  clientMsgId: `k${i}`,
  userId: 'u',
  firstSentAt: i,
  attempts: inDoubt ? 2 : 1,
  inDoubt,
  outcome: 'acked',
  acked: { authorId: 'u', clientMsgId: `k${i}`, id: `m${i}`, seq: i + 1 },
  ackMs: 1,
  ackedAt: i + 1,
});

describe('fault scenario verdict', () => {
  const valid = (checker: CheckerVerdict['checker']): CheckerVerdict => ({ checker, verdict: 'valid', reason: 'ok', counterexamples: [] });
  const checkers = (['exactly-once', 'retry-once', 'seq-order', 'delivery', 'availability'] as const).map(valid);
  it('passes when every checker is valid and every send acked; fails on an invalid checker or a give-up; unknown is inconclusive', () => {
    const records = [acked(0), acked(1, true), acked(2)];
    const doubt = doubtFigures(records);
    expect(doubt).toMatchObject({ sent: 3, acked: 3, inDoubt: 1, resolved: 1, unresolved: 0, retries: 1 });
    expect(streamVerdict(checkers, doubt).verdict).toBe('pass');
    const lost: CheckerVerdict = { checker: 'exactly-once', verdict: 'invalid', reason: 'lost: u/k0', counterexamples: [{ what: 'lost: u/k0', ops: [3] }] };
    expect(streamVerdict([lost, ...checkers.slice(1)], doubt)).toMatchObject({ verdict: 'fail', reason: expect.stringMatching(/exactly-once invalid/) });
    expect(streamVerdict([{ ...checkers[0]!, verdict: 'unknown', reason: 'no final read' }, ...checkers.slice(1)], doubt).verdict).toBe('inconclusive');
    const gaveUp: SendRecord = { clientMsgId: 'k9', userId: 'u', firstSentAt: 9, attempts: 3, inDoubt: true, outcome: 'failed', code: 'TIMEOUT' };
    const v = streamVerdict(checkers, doubtFigures([...records, gaveUp]));
    expect(v).toMatchObject({ verdict: 'fail' });
    expect(v.reason).toMatch(/never acked/);
  });
});
