/**
 * The exactly-once checker (DUR-1, DUR-2, MSG-4, MSG-6): given the sends a run saw acked and the channel's
 * stored history, finds acked messages that are missing, keys stored more than once, acks that disagree with
 * what was stored, and seq order breaks. Pure: the load run and every chaos scenario feed it.
 */

/** A `message:send` the run saw answered `{ok: true}`. */
export interface AckedSend {
  authorId: string;
  clientMsgId: string;
  id: string;
  seq: number;
}

/** A message as `channel:history` returned it (only the fields the check needs). */
export interface StoredMessage {
  id: string;
  authorId: string;
  clientMsgId: string;
  seq: number;
  /** Read back when the server returned it: a run's texts are unique, so they name a message too. */
  text?: string;
}

export interface Duplicate {
  authorId: string;
  clientMsgId: string;
  count: number;
}

export interface Mismatch {
  authorId: string;
  clientMsgId: string;
  ackedId: string;
  ackedSeq: number;
  storedId: string | null;
  storedSeq: number | null;
  why: string;
}

export interface HistoryVerdict {
  /** Every acked send is stored exactly once, as acked, and seq strictly increases. */
  exactlyOnce: boolean;
  acked: number;
  stored: number;
  /** Acked sends with no stored message. */
  lost: AckedSend[];
  /** Idempotency keys (author + clientMsgId) or message ids stored more than once. */
  duplicated: Duplicate[];
  /** Acked sends whose stored message has another id or seq, or keys acked twice with different messages. */
  mismatched: Mismatch[];
  /** Stored messages the run never saw acked (in-doubt sends that landed): allowed, counted. */
  storedNotAcked: number;
  seqStrictlyIncreasing: boolean;
}

const keyOf = (authorId: string, clientMsgId: string) => `${authorId}\u0000${clientMsgId}`;

/** Checks `history` (in the order the server returned it) against the sends seen acked. */
export function checkHistory(acked: readonly AckedSend[], history: readonly StoredMessage[]): HistoryVerdict {
  const byKey = new Map<string, StoredMessage[]>();
  const idCount = new Map<string, number>();
  for (const m of history) {
    const k = keyOf(m.authorId, m.clientMsgId);
    const list = byKey.get(k);
    if (list) list.push(m);
    else byKey.set(k, [m]);
    idCount.set(m.id, (idCount.get(m.id) ?? 0) + 1);
  }

  const duplicated: Duplicate[] = [];
  const duplicatedKeys = new Set<string>();
  for (const [k, list] of byKey) {
    if (list.length > 1) {
      duplicated.push({ authorId: list[0]!.authorId, clientMsgId: list[0]!.clientMsgId, count: list.length });
      duplicatedKeys.add(k);
    }
  }
  // The same message id under two keys is a duplicate too (a store that re-used ids).
  for (const m of history) {
    const k = keyOf(m.authorId, m.clientMsgId);
    const count = idCount.get(m.id)!;
    if (count > 1 && !duplicatedKeys.has(k)) {
      duplicated.push({ authorId: m.authorId, clientMsgId: m.clientMsgId, count });
      duplicatedKeys.add(k);
    }
  }

  const lost: AckedSend[] = [];
  const mismatched: Mismatch[] = [];
  const ackedKeys = new Map<string, AckedSend>();
  for (const a of acked) {
    const k = keyOf(a.authorId, a.clientMsgId);
    const earlier = ackedKeys.get(k);
    if (earlier && (earlier.id !== a.id || earlier.seq !== a.seq)) {
      mismatched.push({ ...pick(a), ackedId: a.id, ackedSeq: a.seq, storedId: earlier.id, storedSeq: earlier.seq, why: 'the same key was acked with two different messages' });
    }
    ackedKeys.set(k, a);
    const stored = byKey.get(k);
    if (!stored || stored.length === 0) {
      lost.push(a);
      continue;
    }
    const s = stored[0]!;
    if (stored.length === 1 && (s.id !== a.id || s.seq !== a.seq)) {
      mismatched.push({ ...pick(a), ackedId: a.id, ackedSeq: a.seq, storedId: s.id, storedSeq: s.seq, why: 'stored id or seq differs from the ack' });
    }
  }

  let storedNotAcked = 0;
  for (const k of byKey.keys()) if (!ackedKeys.has(k)) storedNotAcked++;

  let seqStrictlyIncreasing = true;
  for (let i = 1; i < history.length; i++) if (history[i]!.seq <= history[i - 1]!.seq) seqStrictlyIncreasing = false;

  return {
    exactlyOnce: lost.length === 0 && duplicated.length === 0 && mismatched.length === 0 && seqStrictlyIncreasing,
    acked: ackedKeys.size,
    stored: history.length,
    lost,
    duplicated,
    mismatched,
    storedNotAcked,
    seqStrictlyIncreasing,
  };
}

function pick(a: AckedSend): { authorId: string; clientMsgId: string } {
  return { authorId: a.authorId, clientMsgId: a.clientMsgId };
}

/** A verdict as runs print and report it: problem lists cut to counts and the first few lines. */
export type HistorySummary = Omit<HistoryVerdict, 'lost' | 'duplicated' | 'mismatched'> & { lost: number; duplicated: number; mismatched: number; firstProblems: string[] };

/** A verdict with its problem lists cut to counts and the first few lines (for output). */
export function summarizeHistory(v: HistoryVerdict): HistorySummary {
  const firstProblems = historyProblems(v, 3);
  return {
    exactlyOnce: v.exactlyOnce,
    acked: v.acked,
    stored: v.stored,
    storedNotAcked: v.storedNotAcked,
    seqStrictlyIncreasing: v.seqStrictlyIncreasing,
    lost: v.lost.length,
    duplicated: v.duplicated.length,
    mismatched: v.mismatched.length,
    firstProblems,
  };
}

/** The verdict's problems as lines, lost first, then duplicates, then mismatches (at most `perKind` of each). */
export function historyProblems(v: HistoryVerdict, perKind = Number.POSITIVE_INFINITY): string[] {
  return [
    ...v.lost.slice(0, perKind).map((l) => `lost: ${l.authorId}/${l.clientMsgId} (acked id ${l.id}, seq ${l.seq})`),
    ...v.duplicated.slice(0, perKind).map((d) => `duplicated: ${d.authorId}/${d.clientMsgId} x${d.count}`),
    ...v.mismatched.slice(0, perKind).map((m) => `mismatched: ${m.authorId}/${m.clientMsgId}: ${m.why}`),
  ];
}
