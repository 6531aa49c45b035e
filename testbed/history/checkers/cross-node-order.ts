import type { History } from '../history.ts';
import { verdictOf, type CheckerVerdict, type Counterexample } from './checker-verdict.ts';
import { ackedSends, finalReads, storedOf } from './final-reads.ts';

/**
 * (f) Cross-node order: the clients of a channel, on whichever node, see its messages in one seq order. Clients
 * order what they see by `seq` (a later message may arrive first across nodes: DEG-2 delivery is at-least-once,
 * each node broadcasts what it stored), so the order is one exactly when everyone agrees on each message's seq:
 * - agreement: every `message:new` a member saw carries the seq the message was stored with (final read) and
 *   acked with, so no two clients place a message differently, and no seq names two messages;
 * - no gap left open: a member that saw seqs a and b saw, or sent itself, every stored message between them
 *   by the end of the history (from history if it was never broadcast to it).
 * What delivery (d) does not: it matches messages by id only, within a bound, and only this run's sends;
 * this checks the seqs clients saw against the store, for every stored message between two seen.
 * Arrival order itself is a figure (live deliveries that came after a higher seq), not a verdict: the spec
 * promises the order a node makes its broadcasts in, not one order across nodes.
 */
export function checkCrossNodeOrder(history: History): CheckerVerdict {
  const counterexamples: Counterexample[] = [];
  const reads = finalReads(history);
  const ackOp = new Map(ackedSends(history).map((o) => [`${o.value.channelId}\u0000${o.result.id}`, o]));
  const channels = new Set(history.deliveries.map((d) => d.channelId));
  let unread = 0;
  let checked = 0;
  let gapsFilled = 0;
  let liveInversions = 0;
  for (const channelId of channels) {
    const read = reads.get(channelId);
    const stored = storedOf(read);
    const deliveries = history.deliveries.filter((d) => d.channelId === channelId);
    if (!stored) {
      unread++;
      continue;
    }
    const seqOf = new Map(stored.map((m) => [m.id, m]));
    const idAt = new Map(stored.map((m) => [m.seq, m]));
    const ops = (id: string) => [ackOp.get(`${channelId}\u0000${id}`)?.index, read!.index].filter((i): i is number => i !== undefined);
    const byProcess = new Map<string, { seqs: Set<number>; lastLive: number }>();
    for (const d of deliveries) {
      checked++;
      const s = seqOf.get(d.id);
      if (s && s.seq !== d.seq) counterexamples.push({ what: `${d.process} saw ${d.id} as seq ${d.seq} (${d.via}); it is stored as seq ${s.seq}`, ops: ops(d.id) });
      else if (!s && idAt.has(d.seq)) counterexamples.push({ what: `${d.process} saw ${d.id} as seq ${d.seq} (${d.via}); seq ${d.seq} is ${idAt.get(d.seq)!.id} in the store`, ops: ops(d.id) });
      const p = byProcess.get(d.process) ?? { seqs: new Set<number>(), lastLive: 0 };
      byProcess.set(d.process, p);
      p.seqs.add(d.seq);
      if (d.via === 'live') {
        if (d.seq < p.lastLive) liveInversions++;
        p.lastLive = Math.max(p.lastLive, d.seq);
      }
      if (d.via === 'history') gapsFilled++;
    }
    for (const [process, p] of byProcess) {
      const own = stored.filter((m) => m.authorId === process).map((m) => m.seq);
      const had = new Set([...p.seqs, ...own]);
      let [lo, hi] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
      for (const s of p.seqs) if (idAt.has(s)) [lo, hi] = [Math.min(lo, s), Math.max(hi, s)];
      if (hi < lo) continue;
      for (const m of stored) {
        if (m.seq > lo && m.seq < hi && !had.has(m.seq)) counterexamples.push({ what: `${process} saw seqs ${lo} and ${hi} of ${channelId} and never got seq ${m.seq} (${m.id}) between them`, ops: ops(m.id) });
      }
    }
  }
  const verdict = verdictOf(
    'cross-node-order',
    counterexamples,
    `${checked} delivery(ies) in ${channels.size} channel(s), each with its stored seq, no gap left open`,
    unread > 0 ? `no final history read of ${unread} channel(s) with deliveries: the seqs seen cannot be checked` : channels.size === 0 ? 'no delivery was seen' : undefined,
  );
  return { ...verdict, figures: { deliveries: checked, gapsFilledFromHistory: gapsFilled, liveInversions } };
}
