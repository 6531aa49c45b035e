import type { Message } from '../../../events.ts';
import type { CheckContext } from '../../context.ts';
import type { WireConnection } from '../../wire/connection.ts';

/** Reads a channel's whole history (pages of 100, oldest first), bounded to maxPages. */
export async function readHistory(ctx: CheckContext, conn: WireConnection, channelId: string, maxPages = 20): Promise<Message[]> {
  const pages: Message[][] = [];
  let beforeSeq: number | undefined;
  for (let i = 0; i < maxPages; i++) {
    const page = await ctx.ok(conn, 'channel:history', { channelId, limit: 100, ...(beforeSeq ? { beforeSeq } : {}) });
    pages.unshift(page.messages);
    if (page.messages.length < 100) break;
    beforeSeq = page.messages[0]!.seq;
  }
  return pages.flat();
}

/** Acked messages missing from history, or present more than once, or changed: pure. */
export function lostOrChanged(acked: readonly Message[], history: readonly Message[]): string[] {
  const problems: string[] = [];
  for (const m of acked) {
    const found = history.filter((h) => h.id === m.id);
    if (found.length === 0) problems.push(`seq ${m.seq} (${m.clientMsgId}) missing`);
    else if (found.length > 1) problems.push(`${m.id} present ${found.length} times`);
    else if (found[0]!.seq !== m.seq) problems.push(`${m.id} seq ${m.seq} became ${found[0]!.seq}`);
  }
  const keys = new Map<string, number>();
  for (const h of history) keys.set(`${h.authorId}\u0000${h.clientMsgId}`, (keys.get(`${h.authorId}\u0000${h.clientMsgId}`) ?? 0) + 1);
  for (const [k, n] of keys) if (n > 1) problems.push(`clientMsgId ${k.split('\u0000')[1]} stored ${n} times`);
  return problems;
}
