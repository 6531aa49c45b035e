import { describe, expect, it } from 'vitest';
import { compareReports, formatComparison, hasRegressions } from '../compare.ts';
import { VERDICT_ORDER, verdictRank } from '../verdicts.ts';
import { check, report } from './fixtures.ts';

describe('compare', () => {
  const before = report([check('A-1', 'pass'), check('A-2', 'fail'), check('A-3', 'non-strict'), check('A-4', 'inconclusive'), check('GONE-1', 'pass')]);
  const after = report([check('A-1', 'non-strict'), check('A-2', 'pass'), check('A-3', 'non-strict'), check('A-4', 'fail'), check('NEW-1', 'fail')]);
  const c = compareReports(before, after);

  it('orders verdicts pass > non-strict > unimplemented > inconclusive > fail', () => {
    expect(VERDICT_ORDER).toEqual(['pass', 'non-strict', 'unimplemented', 'inconclusive', 'fail']);
    expect(verdictRank('pass')).toBeLessThan(verdictRank('fail'));
  });

  it('finds regressions (worst first), improvements, new and removed checks', () => {
    expect(c.regressions.map((r) => [r.id, r.before, r.after])).toEqual([
      ['A-4', 'inconclusive', 'fail'],
      ['A-1', 'pass', 'non-strict'],
    ]);
    expect(c.improvements.map((r) => [r.id, r.before, r.after])).toEqual([['A-2', 'fail', 'pass']]);
    expect(c.added.map((r) => r.id)).toEqual(['NEW-1']);
    expect(c.removed.map((r) => r.id)).toEqual(['GONE-1']);
    expect(c.unchanged).toBe(1);
    expect(hasRegressions(c)).toBe(true);
    expect(hasRegressions(compareReports(after, after))).toBe(false);
  });

  it('prints a readable text form', () => {
    const text = formatComparison(c);
    expect(text).toContain('REGRESSIONS (2):\n  A-4 title of A-4 [MUST]: inconclusive -> fail (A-4 is fail)');
    expect(text).toContain('improvements (1):\n  A-2 title of A-2 [MUST]: fail -> pass (ok)');
    expect(text).toContain('new checks (1):\n  NEW-1 title of NEW-1 [MUST]: fail');
    expect(text).toContain('removed checks (1):\n  GONE-1');
    expect(text).toContain('2 regressed, 1 improved, 1 new, 1 removed, 1 unchanged');
  });
});
