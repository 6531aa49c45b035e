import type { History, ReadOp, SendOp } from '../history.ts';
import type { StoredMessage } from '../history-check.ts';

/** The last completed read of each channel: ok with its messages, or the reason it could not be read. */
export function finalReads(history: History): Map<string, ReadOp> {
  const reads = new Map<string, ReadOp>();
  for (const op of history.ops) if (op.f === 'read') reads.set(op.value.channelId, op);
  return reads;
}

/** The stored messages of a final read, or undefined when it is missing or did not succeed. */
export function storedOf(read: ReadOp | undefined): StoredMessage[] | undefined {
  return read?.outcome === 'ok' && read.result && 'messages' in read.result ? read.result.messages : undefined;
}

export function sendOps(history: History): SendOp[] {
  return history.ops.filter((o): o is SendOp => o.f === 'send');
}

/** The ok sends with their acked id and seq. */
export function ackedSends(history: History): (SendOp & { result: { id: string; seq: number } })[] {
  return sendOps(history).filter((o): o is SendOp & { result: { id: string; seq: number } } => o.outcome === 'ok' && o.result !== undefined && 'id' in o.result);
}

export const keyOf = (authorId: string, clientMsgId: string) => `${authorId}\u0000${clientMsgId}`;

/** Items grouped by key, in first-seen order (Map.groupBy needs Node 21). */
export function groupBy<T>(items: readonly T[], keyFn: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = keyFn(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Channels this history sent to whose final read is missing or failed: what they stored is unknown. */
export function unreadChannels(history: History): string[] {
  const reads = finalReads(history);
  const channels = new Set(sendOps(history).map((o) => o.value.channelId));
  return [...channels].filter((c) => storedOf(reads.get(c)) === undefined);
}
