import type { SendRecord } from '../testbed/clients/message-stream.ts';
import type { CheckerVerdict } from '../testbed/history/checkers/index.ts';
import type { Observation } from '../reports/verdicts.ts';

/** Send figures of a stream under faults (pure). */
export interface DoubtFigures {
  sent: number;
  acked: number;
  /** Sends that had an attempt without an answer (timeout, dropped socket): stored or not, unknown then. */
  inDoubt: number;
  /** In-doubt sends later acked by a retry with the same clientMsgId. */
  resolved: number;
  /** Sends never acked by the end of the drain (gave up or refused). */
  unresolved: number;
  retries: number;
}

export function doubtFigures(records: readonly SendRecord[]): DoubtFigures {
  let acked = 0;
  let inDoubt = 0;
  let resolved = 0;
  let retries = 0;
  for (const r of records) {
    if (r.outcome === 'acked') acked++;
    if (r.inDoubt) inDoubt++;
    if (r.inDoubt && r.outcome === 'acked') resolved++;
    retries += Math.max(0, r.attempts - 1);
  }
  return { sent: records.length, acked, inDoubt, resolved, unresolved: records.length - acked, retries };
}

/**
 * A fault scenario's verdict comes from the history checkers (testbed/history/checkers): any invalid one fails
 * it, any unknown one leaves it inconclusive (unknown is never a pass). On top, every send must have been
 * acked in the end (retries resolved every doubt) and at least one was.
 */
export function streamVerdict(checkers: readonly CheckerVerdict[], doubt: DoubtFigures): { verdict: Observation; reason: string } {
  const problems: string[] = checkers.filter((c) => c.verdict === 'invalid').map((c) => `${c.checker} invalid: ${c.reason}`);
  if (doubt.unresolved > 0) problems.push(`${doubt.unresolved} of ${doubt.sent} sends never acked`);
  if (doubt.acked === 0) problems.push('no send was acked at all');
  if (problems.length) return { verdict: 'fail', reason: problems.join('; ') };
  const unknown = checkers.filter((c) => c.verdict === 'unknown');
  if (unknown.length) return { verdict: 'inconclusive', reason: unknown.map((c) => `${c.checker} unknown: ${c.reason}`).join('; ') };
  return { verdict: 'pass', reason: `${doubt.acked} acked, all stored exactly once; ${doubt.inDoubt} in doubt, ${doubt.resolved} resolved by retry; ${checkers.length} checkers valid` };
}

/** The checkers' verdicts as the result keeps them: verdict, reason, first counterexamples, figures. */
export function checkerSummary(checkers: readonly CheckerVerdict[], perChecker = 5): CheckerVerdict[] {
  return checkers.map((c) => ({ ...c, counterexamples: c.counterexamples.slice(0, perChecker) }));
}
