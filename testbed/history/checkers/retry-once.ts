import type { History } from '../history.ts';
import { verdictOf, type CheckerVerdict, type Counterexample } from './checker-verdict.ts';
import { finalReads, groupBy, keyOf, sendOps, storedOf, unreadChannels } from './final-reads.ts';

const textKey = (authorId: string, text: string) => `${authorId}\u0001${text}`;
const count = (counts: Map<string, number>, k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);

/**
 * (b) A message sent more than once with the same clientMsgId (a retry after a timeout, a dropped socket or a
 * refusal) is stored at most once, acked or not (MSG-4).
 */
export function checkRetryOnce(history: History): CheckerVerdict {
  const attempts = groupBy(sendOps(history), (o) => keyOf(o.value.authorId, o.value.clientMsgId));
  const retried = [...attempts.values()].filter((ops) => ops.length > 1);
  const reads = finalReads(history);
  const counterexamples: Counterexample[] = [];
  const unread = unreadChannels(history);
  const storedBy = new Map<string, Map<string, number>>();
  for (const ops of retried) {
    const { channelId, authorId, clientMsgId, text } = ops[0]!.value;
    const read = reads.get(channelId);
    const stored = storedOf(read);
    if (!stored) continue;
    let counts = storedBy.get(channelId);
    if (!counts) {
      counts = new Map();
      for (const m of stored) {
        count(counts, keyOf(m.authorId, m.clientMsgId));
        if (m.text !== undefined) count(counts, textKey(m.authorId, m.text));
      }
      storedBy.set(channelId, counts);
    }
    // A server that lost the key stores the copy under another clientMsgId: the run's unique text still names it.
    const n = Math.max(counts.get(keyOf(authorId, clientMsgId)) ?? 0, text === undefined ? 0 : (counts.get(textKey(authorId, text)) ?? 0));
    if (n > 1) counterexamples.push({ what: `${authorId}/${clientMsgId} sent ${ops.length} times, stored ${n} times`, ops: [...ops.map((o) => o.index), read!.index] });
  }
  return verdictOf(
    'retry-once',
    counterexamples,
    `${retried.length} retried message(s), none stored twice`,
    unread.length ? `no final history read of ${unread.join(', ')}: retried messages cannot be checked` : undefined,
  );
}
