import { checkHistory } from '../history-check.ts';
import type { History } from '../history.ts';
import { verdictOf, type CheckerVerdict, type Counterexample } from './checker-verdict.ts';
import { ackedSends, finalReads, groupBy, keyOf, storedOf, unreadChannels } from './final-reads.ts';

/**
 * (a) Every acked message is durable exactly once, with its acked id and seq, in the final history read of its
 * channel (DUR-1, DUR-2). The per-channel comparison is history-check.ts's, the one exactly-once rule.
 */
export function checkExactlyOnce(history: History): CheckerVerdict {
  const reads = finalReads(history);
  const byChannel = groupBy(ackedSends(history), (o) => o.value.channelId);
  const counterexamples: Counterexample[] = [];
  const unread = unreadChannels(history);
  for (const [channelId, acks] of byChannel) {
    const read = reads.get(channelId);
    const stored = storedOf(read);
    if (!stored) continue;
    const opOf = new Map(acks.map((o) => [keyOf(o.value.authorId, o.value.clientMsgId), o.index]));
    const ops = (authorId: string, clientMsgId: string) => [opOf.get(keyOf(authorId, clientMsgId)) ?? -1, read!.index].filter((i) => i >= 0);
    const v = checkHistory(
      acks.map((o) => ({ authorId: o.value.authorId, clientMsgId: o.value.clientMsgId, ...o.result })),
      stored,
    );
    for (const l of v.lost) counterexamples.push({ what: `lost: ${l.authorId}/${l.clientMsgId} acked as ${l.id} seq ${l.seq}, not in the final read`, ops: ops(l.authorId, l.clientMsgId) });
    for (const d of v.duplicated) {
      if (opOf.has(keyOf(d.authorId, d.clientMsgId))) counterexamples.push({ what: `duplicated: acked ${d.authorId}/${d.clientMsgId} stored ${d.count} times`, ops: ops(d.authorId, d.clientMsgId) });
    }
    for (const m of v.mismatched) counterexamples.push({ what: `mismatched: ${m.authorId}/${m.clientMsgId}: ${m.why}`, ops: ops(m.authorId, m.clientMsgId) });
  }
  const acked = [...byChannel.values()].reduce((n, a) => n + a.length, 0);
  return verdictOf(
    'exactly-once',
    counterexamples,
    `${acked} acked message(s), each stored once with its acked id and seq`,
    unread.length ? `no final history read of ${unread.join(', ')}: acked messages cannot be checked` : undefined,
  );
}
