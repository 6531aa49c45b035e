import type { Message } from '../../../events.ts';
import { checkHistory, historyProblems } from '../../../../testbed/history/history-check.ts';
import { readAllPages } from '../../../../testbed/history/history-pages.ts';
import type { CheckContext } from '../../context.ts';
import type { WireConnection } from '../../wire/connection.ts';

/** Reads a channel's whole history over a check's connection (each page recorded as evidence), oldest first. */
export async function readHistory(ctx: CheckContext, conn: WireConnection, channelId: string, maxPages = 20): Promise<Message[]> {
  const pageSize = 100;
  return readAllPages(async (page) => (await ctx.ok(conn, 'channel:history', { channelId, ...page })).messages, maxPages * pageSize, pageSize);
}

/** Acked messages missing from history, stored more than once, or stored other than acked (the exactly-once checker): pure. */
export function lostOrChanged(acked: readonly Message[], history: readonly Message[]): string[] {
  return historyProblems(checkHistory(acked, history));
}
