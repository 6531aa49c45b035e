/**
 * What every checker returns: `valid`, `invalid` with counterexamples (the ops involved), or `unknown` when the
 * history cannot decide (truncated, no final read). Unknown never counts as a pass.
 */
export type CheckerName = 'exactly-once' | 'retry-once' | 'seq-order' | 'delivery' | 'availability' | 'cross-node-order';

export interface Counterexample {
  /** One line, for the report and the terminal. */
  what: string;
  /** Indices of the ops involved (history.ops). */
  ops: number[];
}

export interface CheckerVerdict {
  checker: CheckerName;
  verdict: 'valid' | 'invalid' | 'unknown';
  /** One line: what was checked, or why it could not be decided. */
  reason: string;
  counterexamples: Counterexample[];
  /** Figures the checker measured (availability's shares and recovery times). */
  figures?: Record<string, unknown>;
}

/** At most this many counterexamples are kept per checker (the count is in the reason). */
export const MAX_COUNTEREXAMPLES = 50;

export function verdictOf(checker: CheckerName, counterexamples: Counterexample[], valid: string, unknown?: string): CheckerVerdict {
  if (counterexamples.length > 0) {
    return { checker, verdict: 'invalid', reason: `${counterexamples.length} counterexample(s): ${counterexamples[0]!.what}`, counterexamples: counterexamples.slice(0, MAX_COUNTEREXAMPLES) };
  }
  if (unknown !== undefined) return { checker, verdict: 'unknown', reason: unknown, counterexamples: [] };
  return { checker, verdict: 'valid', reason: valid, counterexamples: [] };
}
