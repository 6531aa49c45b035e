import { io } from 'socket.io-client';
import { z } from 'zod';
import type { StoredMessage } from './history-check.ts';
import { HistoryPagingError, readAllPages, type FetchHistoryPage } from './history-pages.ts';

/** The fields of a history page the exactly-once check reads (unknown fields pass through unread). */
const HistoryPageAck = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    data: z.object({
      messages: z.array(z.object({ id: z.string(), authorId: z.string(), clientMsgId: z.string(), seq: z.int(), text: z.string().optional() })),
    }),
  }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
]);

/** The user a run reads its channel's history back as (its history pages count for RATE-6 like any user's). */
export const HISTORY_READER_USER = 'sockproof-history-reader';

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
    const fetchPage: FetchHistoryPage<StoredMessage> = async (page) => {
      const left = deadline - performance.now();
      if (left <= 0) throw new HistoryReadError(`reading history of ${channelId} took longer than ${timeoutMs} ms`);
      const raw: unknown = await socket
        .timeout(Math.min(left, 15_000))
        .emitWithAck('channel:history', { channelId, ...page })
        .catch((err: Error) => {
          throw new HistoryReadError(`channel:history got no answer: ${err.message}`);
        });
      const ack = HistoryPageAck.safeParse(raw);
      if (!ack.success) throw new HistoryReadError(`channel:history answered an ack that does not fit the spec: ${ack.error.issues[0]?.message}`);
      if (!ack.data.ok) throw new HistoryReadError(`channel:history answered ${ack.data.error.code}: ${ack.data.error.message}`);
      return ack.data.data.messages;
    };
    return await readAllPages(fetchPage, maxMessages).catch((err: unknown) => {
      throw err instanceof HistoryPagingError ? new HistoryReadError(err.message) : err;
    });
  } finally {
    socket.disconnect();
  }
}
