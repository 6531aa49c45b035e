import type { SendRecord } from '../testbed/clients/message-stream.ts';
import type { HistoryVerdict } from '../testbed/history/history-check.ts';
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
 * A fault scenario passes when every acked message is stored exactly once, every send was eventually acked
 * (retries resolved every doubt), and the service carried on after the fault (some send acked after it).
 */
export function streamVerdict(history: HistoryVerdict, doubt: DoubtFigures, ackedAfterFault: number): { verdict: Observation; reason: string } {
  const problems: string[] = [];
  if (!history.exactlyOnce) {
    problems.push(`not exactly once (${history.lost.length} lost, ${history.duplicated.length} duplicated, ${history.mismatched.length} mismatched${history.seqStrictlyIncreasing ? '' : ', seq out of order'})`);
  }
  if (doubt.unresolved > 0) problems.push(`${doubt.unresolved} of ${doubt.sent} sends never acked`);
  if (ackedAfterFault === 0) problems.push('no send was acked after the fault');
  if (doubt.acked === 0) problems.push('no send was acked at all');
  if (problems.length) return { verdict: 'fail', reason: problems.join('; ') };
  return { verdict: 'pass', reason: `${doubt.acked} acked, all stored exactly once; ${doubt.inDoubt} in doubt, ${doubt.resolved} resolved by retry` };
}
