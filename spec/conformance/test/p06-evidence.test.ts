import { describe, expect, it } from 'vitest';
import { runAgainstReference } from './harness.ts';

describe('P06 evidence', () => {
  it('records at each step the value observed there: a met expectation never says "nothing" or "still open"', async () => {
    const report = await runAgainstReference(['P06']);
    const p06 = report.results.find((r) => r.id === 'P06')!;
    expect(p06.verdict).toBe('pass');
    const met = p06.evidence.flatMap((e) => (e.kind === 'expect' && e.ok ? [e] : []));
    expect(met.filter((e) => e.actual === 'nothing' || e.actual === 'still open')).toEqual([]);
    const firstMessage = met.find((e) => e.expected === 'roamer receives the first message');
    expect(firstMessage?.actual).toMatch(/^message:new \S+/);
    const closes = met.filter((e) => e.expected.includes('sees its transport close'));
    expect(closes.length).toBeGreaterThan(0);
    for (const c of closes) expect(c.actual).toMatch(/^closed \(/);
  }, 90_000);
});
