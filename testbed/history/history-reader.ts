import { io } from 'socket.io-client';
import { z } from 'zod';
import { HISTORY_MAX_LIMIT } from '../../spec/index.ts';
import type { StoredMessage } from './history-check.ts';

/** The fields of a history page the exactly-once check reads (unknown fields pass through unread). */
const HistoryPageAck = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    data: z.object({
      messages: z.array(z.object({ id: z.string(), authorId: z.string(), clientMsgId: z.string(), seq: z.int() })),
    }),
  }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
]);

export class HistoryReadError extends Error {
  override name = 'HistoryReadError';
}

/**
 * Reads a channel's whole history (HIST-1) over its own socket, newest page first, and returns it in
 * ascending seq order. Bounded: at most `maxMessages` (then it stops) and `timeoutMs` overall.
 */
export async function readChannelHistory(url: string, token: string, channelId: string, maxMessages: number, timeoutMs = 60_000): Promise<StoredMessage[]> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 10_000 });
  const deadline = performance.now() + timeoutMs;
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(new HistoryReadError(`history reader could not connect: ${err.message}`)));
    });
    const pages: StoredMessage[][] = [];
    let total = 0;
    let beforeSeq: number | undefined;
    while (total < maxMessages) {
      const left = deadline - performance.now();
      if (left <= 0) throw new HistoryReadError(`reading history of ${channelId} took longer than ${timeoutMs} ms`);
      const raw: unknown = await socket
        .timeout(Math.min(left, 15_000))
        .emitWithAck('channel:history', { channelId, limit: HISTORY_MAX_LIMIT, ...(beforeSeq ? { beforeSeq } : {}) })
        .catch((err: Error) => {
          throw new HistoryReadError(`channel:history got no answer: ${err.message}`);
        });
      const ack = HistoryPageAck.safeParse(raw);
      if (!ack.success) throw new HistoryReadError(`channel:history answered an ack that does not fit the spec: ${ack.error.issues[0]?.message}`);
      if (!ack.data.ok) throw new HistoryReadError(`channel:history answered ${ack.data.error.code}: ${ack.data.error.message}`);
      const page = ack.data.data.messages;
      if (page.length === 0) break;
      pages.unshift(page);
      total += page.length;
      const first = page[0]!.seq;
      if (page.length < HISTORY_MAX_LIMIT || first <= 1) break;
      if (beforeSeq !== undefined && first >= beforeSeq) throw new HistoryReadError('channel:history paging does not move back (beforeSeq ignored?)');
      beforeSeq = first;
    }
    return pages.flat();
  } finally {
    socket.disconnect();
  }
}
