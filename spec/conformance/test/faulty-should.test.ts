import { describe, expect, it } from 'vitest';
import { runAgainstReference, verdicts } from './harness.ts';

/**
 * Faulty builds for SHOULD checks: a SHOULD not met is `non-strict`, and fails the run only with
 * --strict (a MUST check's rows are in faulty-servers.test.ts). Each row's check is `non-strict`
 * without --strict and `fail` with it; the controls pass either way.
 */
const FAULTS: Array<{ fault: string; misses: string[]; passes: string[] }> = [
  { fault: 'config-error-on-stdout', misses: ['C36'], passes: ['S11', 'S03'] },
  // Clauses no check observed before (issue 13, h-clauses2).
  { fault: 'origins-not-checked', misses: ['S19'], passes: ['S20', 'S03'] },
  { fault: 'prometheus-figures-stale', misses: ['S20'], passes: ['S19', 'S03'] },
  { fault: 'drain-leaves-transport-open', misses: ['S18'], passes: ['S20', 'S03'] },
];

describe('faulty servers are caught by SHOULD checks', () => {
  for (const { fault, misses, passes } of FAULTS) {
    it(`${fault}: ${misses.join(', ')} not met (fail with --strict); ${passes.join(', ')} pass`, async () => {
      const ids = [...misses, ...passes];
      const lenient = await runAgainstReference(ids, { faults: [fault], propertyRuns: 20 });
      const strict = await runAgainstReference(ids, { faults: [fault], propertyRuns: 20, extra: { strict: true } });
      const show = (v: Record<string, string>) => Object.fromEntries(ids.map((id) => [id, v[id]]));
      const messages = [...lenient.results, ...strict.results].map((r) => `${r.id} ${r.verdict}: ${r.message}`).join('\n');
      expect(show(verdicts(lenient)), messages).toEqual(Object.fromEntries([...misses.map((id) => [id, 'non-strict']), ...passes.map((id) => [id, 'pass'])]));
      expect(show(verdicts(strict)), messages).toEqual(Object.fromEntries([...misses.map((id) => [id, 'fail']), ...passes.map((id) => [id, 'pass'])]));
      expect(strict.outcome).toBe('fail');
    }, 240_000);
  }
});
