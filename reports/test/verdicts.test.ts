import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Level, Verdict } from '../schema.ts';
import { EXIT_STATUS, runOutcome, VERDICT_ORDER, verdictOf, verdictRank, worstVerdict } from '../verdicts.ts';

const verdict = fc.constantFrom(...Verdict.options);
const level = fc.constantFrom(...Level.options);

describe('one verdict model for every run', () => {
  it('orders every verdict exactly once', () => {
    expect([...VERDICT_ORDER].sort()).toEqual([...Verdict.options].sort());
  });

  it('--repeat keeps the worst run, by the same order report compare uses', () => {
    fc.assert(
      fc.property(fc.array(verdict, { minLength: 1 }), (runs) => {
        const worst = worstVerdict(runs);
        expect(runs).toContain(worst);
        for (const r of runs) expect(verdictRank(r)).toBeLessThanOrEqual(verdictRank(worst));
      }),
    );
  });

  it('a run fails exactly when a check failed or a MUST (or, strict, a SHOULD) stayed unknown', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ level, verdict })), fc.boolean(), (results, strict) => {
        const blocking = results.some((r) => r.verdict === 'fail' || (r.verdict === 'inconclusive' && (r.level === 'MUST' || (strict && r.level === 'SHOULD'))));
        expect(runOutcome(results, strict)).toBe(blocking ? 'fail' : 'pass');
      }),
    );
    // Unknown is never a pass; what the target declares it lacks never fails a run.
    expect(runOutcome([{ level: 'MUST', verdict: 'inconclusive' }], false)).toBe('fail');
    expect(runOutcome([{ level: 'MUST', verdict: 'unimplemented' }], true)).toBe('pass');
  });

  it('one exit-status table: 0 passed, 1 failed, 2 could not run', () => {
    expect(EXIT_STATUS).toEqual({ pass: 0, fail: 1, 'could-not-run': 2 });
  });
  it('turns a failure into fail, non-strict or (strict) fail by level', () => {
    expect(verdictOf('fail', 'MUST', false)).toBe('fail');
    expect(verdictOf('fail', 'SHOULD', false)).toBe('non-strict');
    expect(verdictOf('fail', 'SHOULD', true)).toBe('fail');
    expect(verdictOf('fail', 'MAY', true)).toBe('non-strict');
    expect(verdictOf('inconclusive', 'MUST', false)).toBe('inconclusive');
  });
  it('a repeated check is as bad as its worst run; an inconclusive MUST fails the run, unimplemented never does', () => {
    expect(worstVerdict(['pass', 'inconclusive', 'pass'])).toBe('inconclusive');
    expect(runOutcome([{ level: 'MUST', verdict: 'unimplemented' }], false)).toBe('pass');
    expect(runOutcome([{ level: 'MUST', verdict: 'inconclusive' }], false)).toBe('fail');
    expect(runOutcome([{ level: 'SHOULD', verdict: 'non-strict' }], false)).toBe('pass');
  });
});
