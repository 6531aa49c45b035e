import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHistory, type AckedSend, type StoredMessage } from '../../testbed/history/history-check.ts';
import { percentileOfSorted, summarize } from '../../testbed/percentiles.ts';
import { FlagError, numberFlag } from '../../testbed/targets/target-flags.ts';
import { isLoopbackHost, parseTargetUrl, TargetUrlError } from '../../testbed/targets/target-url.ts';

const samples = fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 });

describe('percentiles (nearest rank)', () => {
  it('are ordered, inside [min, max], and each is one of the samples', () => {
    fc.assert(
      fc.property(samples, (xs) => {
        const s = summarize(xs);
        expect(s.count).toBe(xs.length);
        expect(s.min).toBeLessThanOrEqual(s.p50);
        expect(s.p50).toBeLessThanOrEqual(s.p95);
        expect(s.p95).toBeLessThanOrEqual(s.p97_5);
        expect(s.p97_5).toBeLessThanOrEqual(s.p99);
        expect(s.p99).toBeLessThanOrEqual(s.max);
        for (const p of [s.p50, s.p95, s.p99]) expect(xs).toContain(p);
      }),
    );
  });

  it('at least p% of the samples are <= the p-th percentile, and fewer than p% are below it', () => {
    fc.assert(
      fc.property(samples, fc.integer({ min: 1, max: 100 }), (xs, p) => {
        const sorted = [...xs].sort((a, b) => a - b);
        const v = percentileOfSorted(sorted, p);
        const need = Math.ceil((p / 100) * xs.length);
        expect(xs.filter((x) => x <= v).length).toBeGreaterThanOrEqual(need);
        expect(xs.filter((x) => x < v).length).toBeLessThan(need);
      }),
    );
  });

  it('of a constant sample is that constant; of no samples is NaN', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.integer({ min: 1, max: 50 }), (v, n) => {
      const s = summarize(Array(n).fill(v));
      expect([s.p50, s.p99, s.min, s.max]).toEqual([v, v, v, v]);
    }));
    expect(Number.isNaN(summarize([]).p50)).toBe(true);
  });
});

/** Distinct acked sends (unique keys, ids and increasing seqs) and the history that stores them exactly once. */
const ackedRun = fc
  .uniqueArray(fc.tuple(fc.constantFrom('alice', 'bob', 'carol'), fc.stringMatching(/^[a-z0-9]{1,8}$/)), {
    minLength: 1,
    maxLength: 60,
    selector: ([a, k]) => `${a}/${k}`,
  })
  .map((keys) => {
    const acked: AckedSend[] = keys.map(([authorId, clientMsgId], i) => ({ authorId, clientMsgId, id: `m${i}`, seq: i + 1 }));
    const history: StoredMessage[] = acked.map((a) => ({ ...a }));
    return { acked, history };
  });

describe('history checker', () => {
  it('accepts a history that stores every acked send exactly once', () => {
    fc.assert(
      fc.property(ackedRun, ({ acked, history }) => {
        const v = checkHistory(acked, history);
        expect(v.exactlyOnce).toBe(true);
        expect(v.acked).toBe(acked.length);
        expect(v.storedNotAcked).toBe(0);
      }),
    );
  });

  it('finds a lost acked message', () => {
    fc.assert(
      fc.property(ackedRun, fc.nat(), ({ acked, history }, pick) => {
        const i = pick % history.length;
        const v = checkHistory(acked, history.filter((_, j) => j !== i));
        expect(v.exactlyOnce).toBe(false);
        expect(v.lost).toEqual([acked[i]]);
        expect(v.duplicated).toEqual([]);
      }),
    );
  });

  it('finds a message stored twice (same key, new id and seq at the end)', () => {
    fc.assert(
      fc.property(ackedRun, fc.nat(), ({ acked, history }, pick) => {
        const dup = history[pick % history.length]!;
        const v = checkHistory(acked, [...history, { ...dup, id: 'copy', seq: history.length + 1 }]);
        expect(v.exactlyOnce).toBe(false);
        expect(v.duplicated).toEqual([{ authorId: dup.authorId, clientMsgId: dup.clientMsgId, count: 2 }]);
        expect(v.lost).toEqual([]);
      }),
    );
  });

  it('allows stored sends that were never seen acked (in doubt), but still checks seq order', () => {
    fc.assert(
      fc.property(ackedRun, ({ acked, history }) => {
        const extra = { authorId: 'dave', clientMsgId: 'x', id: 'extra', seq: history.length + 1 };
        expect(checkHistory(acked, [...history, extra])).toMatchObject({ exactlyOnce: true, storedNotAcked: 1 });
        if (history.length > 1) {
          const swapped = [history[1]!, history[0]!, ...history.slice(2)];
          expect(checkHistory(acked, swapped)).toMatchObject({ exactlyOnce: false, seqStrictlyIncreasing: false });
        }
      }),
    );
  });

  it('finds an ack whose stored message has another id or seq', () => {
    const acked = [{ authorId: 'a', clientMsgId: 'k', id: 'm1', seq: 1 }];
    const v = checkHistory(acked, [{ authorId: 'a', clientMsgId: 'k', id: 'm9', seq: 1 }]);
    expect(v.exactlyOnce).toBe(false);
    expect(v.mismatched).toHaveLength(1);
  });
});

describe('target URL rules', () => {
  it('127.0.0.0/8, ::1 and localhost are loopback; other IPv4 addresses are not', () => {
    fc.assert(
      fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)), ([b, c, d]) => {
        expect(isLoopbackHost(`127.${b}.${c}.${d}`)).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }).filter((a) => a !== 127), fc.nat(255), (a, b) => {
        expect(isLoopbackHost(`${a}.${b}.0.1`)).toBe(false);
      }),
    );
    for (const h of ['[::1]', '::1', 'localhost', 'LOCALHOST']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['example.com', '::2', '10.0.0.1', 'localhost.example.com']) expect(isLoopbackHost(h)).toBe(false);
  });

  it('refuses a remote target unless allowed, and non-http URLs always', () => {
    expect(() => parseTargetUrl('http://10.0.0.5:8765', false)).toThrow(/--allow-remote/);
    expect(parseTargetUrl('https://staging.example.com/x?y', true).origin).toBe('https://staging.example.com');
    expect(parseTargetUrl('http://[::1]:9/', false).origin).toBe('http://[::1]:9');
    expect(() => parseTargetUrl('ftp://127.0.0.1', false)).toThrow(TargetUrlError);
    expect(() => parseTargetUrl('nonsense', true)).toThrow(TargetUrlError);
  });

  it('number flags take only values inside their bounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 2000 }), (n) => {
        const ok = n >= 1 && n <= 1000;
        if (ok) expect(numberFlag('--clients', String(n), 0, { min: 1, max: 1000 })).toBe(n);
        else expect(() => numberFlag('--clients', String(n), 0, { min: 1, max: 1000 })).toThrow(FlagError);
      }),
    );
    expect(() => numberFlag('--clients', '2.5', 0, { min: 1, max: 10 })).toThrow(/whole number/);
    expect(numberFlag('--rate', '2.5', 0, { min: 0.1, max: 10 }, true)).toBe(2.5);
    expect(numberFlag('--rate', undefined, 7, { min: 0.1, max: 10 }, true)).toBe(7);
  });
});
