import type { History } from '../history.ts';
import { verdictOf, type CheckerVerdict, type Counterexample } from './checker-verdict.ts';
import { ackedSends, finalReads, keyOf, storedOf } from './final-reads.ts';

/**
 * (c) Per channel, seq strictly increases: the final history read is in strictly increasing seq order, and no
 * two different messages were acked with the same seq (MSG-6, HIST-1).
 */
export function checkSeqOrder(history: History): CheckerVerdict {
  const counterexamples: Counterexample[] = [];
  let reads = 0;
  for (const read of finalReads(history).values()) {
    const stored = storedOf(read);
    if (!stored) continue;
    reads++;
    for (let i = 1; i < stored.length; i++) {
      const [a, b] = [stored[i - 1]!, stored[i]!];
      if (b.seq <= a.seq) counterexamples.push({ what: `${read.value.channelId}: history has seq ${b.seq} (${b.id}) after seq ${a.seq} (${a.id})`, ops: [read.index] });
    }
  }
  const bySeq = new Map<string, { key: string; op: number }>();
  const acks = ackedSends(history);
  for (const o of acks) {
    const slot = `${o.value.channelId}\u0000${o.result.seq}`;
    const key = keyOf(o.value.authorId, o.value.clientMsgId);
    const earlier = bySeq.get(slot);
    if (earlier && earlier.key !== key) counterexamples.push({ what: `${o.value.channelId}: seq ${o.result.seq} acked for two different messages`, ops: [earlier.op, o.index] });
    else bySeq.set(slot, { key, op: o.index });
  }
  return verdictOf(
    'seq-order',
    counterexamples,
    `${acks.length} ack(s) with distinct seqs; ${reads} final read(s) in strictly increasing seq order`,
    reads === 0 ? 'no final history read: the stored order cannot be checked' : undefined,
  );
}
