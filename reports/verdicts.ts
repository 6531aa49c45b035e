import type { Verdict } from './schema.ts';

/**
 * Verdicts from best to worst. `pass` beats `non-strict` (it ran and met every rule, against
 * one that ran and missed only a SHOULD/MAY); `unimplemented` is better than `inconclusive`
 * because the target declared it lacks the feature, whereas inconclusive means nobody knows;
 * `fail` is last. `sockproof report compare` calls any step down this list a regression.
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

/** A symbol that reads without colour (terminals, Markdown, screen readers read the word next to it). */
export const VERDICT_SYMBOL: Readonly<Record<Verdict, string>> = {
  pass: '✅',
  'non-strict': '⚠️',
  unimplemented: '➖',
  inconclusive: '❓',
  fail: '❌',
};
