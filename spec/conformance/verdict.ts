import type { Level, Report, Verdict } from '../../reports/schema.ts';
import type { RawOutcome } from './check.ts';

/**
 * Pure verdict logic. A check run ends pass, fail, unimplemented or inconclusive; its level then
 * decides what a failure means: a MUST not met fails, a SHOULD not met is non-strict (fail under
 * --strict), a MAY not met is non-strict.
 */
export function verdictOf(outcome: RawOutcome, level: Level, strict: boolean): Verdict {
  if (outcome !== 'fail') return outcome;
  if (level === 'MUST') return 'fail';
  if (level === 'SHOULD' && strict) return 'fail';
  return 'non-strict';
}

const SEVERITY: Record<Verdict, number> = { pass: 0, unimplemented: 1, 'non-strict': 2, inconclusive: 3, fail: 4 };

/** The worst of several runs of one check (--repeat): one failing run fails the check. */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) throw new Error('worstVerdict of no runs');
  return verdicts.reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a));
}

export function summarise(verdicts: readonly Verdict[]): Report['summary'] {
  const count = (v: Verdict) => verdicts.filter((x) => x === v).length;
  return {
    total: verdicts.length,
    pass: count('pass'),
    fail: count('fail'),
    nonStrict: count('non-strict'),
    unimplemented: count('unimplemented'),
    inconclusive: count('inconclusive'),
  };
}

/**
 * The run passes when no check failed and no MUST check was inconclusive (a MUST that could not
 * be decided is not met); under --strict an inconclusive SHOULD fails the run too. Unimplemented
 * never fails a run: it marks what the target or harness lacks, not a violation.
 */
export function runOutcome(results: ReadonlyArray<{ level: Level; verdict: Verdict }>, strict: boolean): Report['outcome'] {
  const blocking = results.some(
    (r) => r.verdict === 'fail' || (r.verdict === 'inconclusive' && (r.level === 'MUST' || (strict && r.level === 'SHOULD'))),
  );
  return blocking ? 'fail' : 'pass';
}

/** Process exit status: 0 run passed, 1 run failed (2, harness could not run, is the CLI's). */
export function exitStatus(outcome: Report['outcome']): 0 | 1 {
  return outcome === 'pass' ? 0 : 1;
}

/** Which levels --level selects. */
export function levelsFor(level: 'must' | 'should' | 'all'): readonly Level[] {
  return level === 'must' ? ['MUST'] : level === 'should' ? ['MUST', 'SHOULD'] : ['MUST', 'SHOULD', 'MAY'];
}
