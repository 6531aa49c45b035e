import type { CheckResult, Level, Report, Requirement, Verdict } from './schema.ts';

/**
 * The one verdict model of every sockproof run: conformance checks, chaos scenarios and load runs all
 * end in these verdicts, ranked in this order, and their runs exit through the one table below.
 */

/**
 * Verdicts from best to worst. `pass` beats `non-strict` (it ran and met every rule, against one that
 * ran and missed only a SHOULD/MAY); `non-strict` beats `unimplemented` (it ran and met every MUST, where
 * unimplemented proved nothing); `unimplemented` beats `inconclusive` because the target or harness
 * declared what it lacks, whereas inconclusive means nobody knows; `fail` is last. `--repeat` keeps the
 * worst run, and `sockproof report compare` calls any step down this list a regression.
 */
export const VERDICT_ORDER: readonly Verdict[] = ['pass', 'non-strict', 'unimplemented', 'inconclusive', 'fail'];

/** 0 for pass, larger is worse. */
export function verdictRank(verdict: Verdict): number {
  return VERDICT_ORDER.indexOf(verdict);
}

/** Negative when `a` is better than `b`, so `sort(byVerdict)` puts the best first. */
export function byVerdict(a: Verdict, b: Verdict): number {
  return verdictRank(a) - verdictRank(b);
}

/** The worst of several runs of one check (--repeat): one failing run fails the check. */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) throw new Error('worstVerdict of no runs');
  return verdicts.reduce((a, b) => (verdictRank(b) > verdictRank(a) ? b : a));
}

/** A symbol that reads without colour (terminals, Markdown, screen readers read the word next to it). */
export const VERDICT_SYMBOL: Readonly<Record<Verdict, string>> = {
  pass: '✅',
  'non-strict': '⚠️',
  unimplemented: '➖',
  inconclusive: '❓',
  fail: '❌',
};

/** What a run of checks observed, before its level says what a miss means. Unknown is never a pass. */
export type Observation = 'pass' | 'fail' | 'unimplemented' | 'inconclusive';

/**
 * The level decides what a miss means: a MUST not met fails, a SHOULD not met is non-strict (fail under
 * --strict), a MAY not met is non-strict.
 */
export function verdictOf(observed: Observation, level: Level, strict: boolean): Verdict {
  if (observed !== 'fail') return observed;
  if (level === 'MUST') return 'fail';
  if (level === 'SHOULD' && strict) return 'fail';
  return 'non-strict';
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
 * A run passes when nothing failed and no MUST was inconclusive (a MUST that could not be decided is not
 * met); under --strict an inconclusive SHOULD fails the run too. Unimplemented never fails a run: it marks
 * what the target or harness lacks, not a violation.
 */
export function runOutcome(results: ReadonlyArray<{ level: Level; verdict: Verdict }>, strict: boolean): Report['outcome'] {
  return results.some((r) => failsRun(r, strict)) ? 'fail' : 'pass';
}

/** One result that fails its run: failed, or a MUST (a SHOULD under --strict) that could not be decided. */
export function failsRun(result: { level: Level; verdict: Verdict }, strict: boolean): boolean {
  return result.verdict === 'fail' || (result.verdict === 'inconclusive' && (result.level === 'MUST' || (strict && result.level === 'SHOULD')));
}

/**
 * --require for a CI gate: a check not run for lack of a required capability fails, its message saying
 * so. Checks run, or missing only what was not required, are returned as they were.
 */
export function failUnmetRequirements(results: readonly CheckResult[], required: readonly Requirement[]): CheckResult[] {
  return results.map((r) => {
    const unmet = (r.missing ?? []).filter((m) => required.includes(m));
    if (unmet.length === 0 || r.blockedBy !== undefined) return r;
    return { ...r, verdict: 'fail', message: `required by --require ${unmet.join(',')} but not run: ${r.message}` };
  });
}

/** How a sockproof command ended: its run passed or failed, or the harness could not run at all. */
export type CommandOutcome = Report['outcome'] | 'could-not-run';

/**
 * The one exit-status table of every command (conformance, chaos, load, fuzz, report compare):
 * 0 the run passed; 1 it ran and something failed or stayed unknown; 2 the harness could not run
 * (bad flags or configuration, target down before the first step).
 */
export const EXIT_STATUS: Readonly<Record<CommandOutcome, 0 | 1 | 2>> = { pass: 0, fail: 1, 'could-not-run': 2 };

/** A report's outcome in words: conformance says whether the target conforms, other runs whether they passed. */
export function outcomeWords(report: Pick<Report, 'kind' | 'outcome'>): string {
  if (report.kind === 'conformance') return report.outcome === 'pass' ? 'conformant' : 'not conformant';
  return report.outcome === 'pass' ? `${report.kind} passed` : `${report.kind} failed`;
}
