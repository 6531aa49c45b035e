import { faultWindows, type FaultWindow, type History } from '../history.ts';
import { verdictOf, type CheckerVerdict, type Counterexample } from './checker-verdict.ts';
import { ackedSends, finalReads, keyOf, sendOps, storedOf } from './final-reads.ts';

/** How long after a message is acked (or, inside a fault window, after the heal) every member must have it. */
export const DEFAULT_DELIVERY_BOUND_MS = 10_000;

/**
 * (d) Every member of a channel (a process with an ok join) receives each message of its channel stored after
 * it joined, live, by connection state recovery or from history after a reconnect, within `boundMs` of the
 * message's ack, or of the heal of any fault window that overlaps that time (a kill just after the ack delays
 * the delivery as much as one before it). Its own messages are not counted (the
 * ack is its copy). A message whose deadline falls after the history ended, or inside a window never healed,
 * cannot be judged: then the verdict is unknown, not valid.
 */
export function checkDelivery(history: History, boundMs = DEFAULT_DELIVERY_BOUND_MS): CheckerVerdict {
  const windows = faultWindows(history);
  const reads = finalReads(history);
  const ackOp = new Map(ackedSends(history).map((o) => [keyOf(o.value.authorId, o.value.clientMsgId), o]));
  const lastAttempt = new Map(sendOps(history).map((o) => [keyOf(o.value.authorId, o.value.clientMsgId), o]));
  const delivered = new Map<string, number>();
  for (const d of history.deliveries) {
    const k = `${d.process}\u0000${d.channelId}\u0000${d.id}`;
    if (!delivered.has(k)) delivered.set(k, d.atMs);
  }
  const members = new Map<string, Map<string, number>>();
  for (const op of history.ops) {
    if (op.f !== 'join' || op.outcome !== 'ok') continue;
    const byProcess = members.get(op.value.channelId) ?? new Map<string, number>();
    if (!byProcess.has(op.process)) byProcess.set(op.process, op.completeMs ?? op.invokeMs);
    members.set(op.value.channelId, byProcess);
  }

  const counterexamples: Counterexample[] = [];
  let expected = 0;
  let undecided = 0;
  let unread = 0;
  for (const [channelId, joined] of members) {
    const read = reads.get(channelId);
    const stored = storedOf(read);
    if (!stored) {
      unread++;
      continue;
    }
    for (const m of stored) {
      const key = keyOf(m.authorId, m.clientMsgId);
      const sent = ackOp.get(key) ?? lastAttempt.get(key);
      if (!sent) continue; // not written by this run
      const at = sent.completeMs ?? sent.invokeMs;
      const due = dueBy(at, windows, boundMs);
      for (const [process, since] of joined) {
        if (process === m.authorId || since > at) continue;
        expected++;
        const got = delivered.get(`${process}\u0000${channelId}\u0000${m.id}`);
        if (got !== undefined && got <= due) continue;
        if (got !== undefined) counterexamples.push({ what: `${process} got ${m.id} (seq ${m.seq}) ${Math.round(got - due + boundMs)} ms after it was due (bound ${boundMs} ms)`, ops: [sent.index, read!.index] });
        else if (due <= history.endMs) counterexamples.push({ what: `${process} never got ${m.id} (seq ${m.seq}) of ${channelId}, due by ${Math.round(due)} ms`, ops: [sent.index, read!.index] });
        else undecided++;
      }
    }
  }
  const unknown =
    unread > 0 ? `no final history read of ${unread} channel(s) with members` : undecided > 0 ? `${undecided} delivery(ies) due after the history ended or in a window never healed` : members.size === 0 ? 'no member joined a channel' : undefined;
  return verdictOf('delivery', counterexamples, `${expected} delivery(ies) expected, each within ${boundMs} ms`, unknown);
}

/** When a message acked at `at` must have reached every member: `boundMs` after the ack, pushed to `boundMs` after
 * the heal of every fault window that was on at the ack or began before the deadline; never when one is not healed. */
function dueBy(at: number, windows: readonly FaultWindow[], boundMs: number): number {
  let due = at + boundMs;
  for (const w of windows) {
    if (w.startMs > due || (w.healMs !== null && w.healMs < at)) continue;
    if (w.healMs === null) return Number.POSITIVE_INFINITY;
    due = Math.max(due, w.healMs + boundMs);
  }
  return due;
}
