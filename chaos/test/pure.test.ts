import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHistory } from '../../testbed/history/history-check.ts';
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
  it('passes when every send is acked and stored once; fails on a loss, a give-up or no progress after the fault', () => {
    const records = [acked(0), acked(1, true), acked(2)];
    const stored = records.map((r) => r.acked!);
    const doubt = doubtFigures(records);
    expect(doubt).toMatchObject({ sent: 3, acked: 3, inDoubt: 1, resolved: 1, unresolved: 0, retries: 1 });
    expect(streamVerdict(checkHistory(stored, stored), doubt, 2).verdict).toBe('pass');
    expect(streamVerdict(checkHistory(stored, stored.slice(1)), doubt, 2).verdict).toBe('fail');
    expect(streamVerdict(checkHistory(stored, stored), doubt, 0).verdict).toBe('fail');
    const gaveUp: SendRecord = { clientMsgId: 'k9', userId: 'u', firstSentAt: 9, attempts: 3, inDoubt: true, outcome: 'failed', code: 'TIMEOUT' };
    const v = streamVerdict(checkHistory(stored, stored), doubtFigures([...records, gaveUp]), 2);
    expect(v).toMatchObject({ verdict: 'fail' });
    expect(v.reason).toMatch(/never acked/);
  });
});
