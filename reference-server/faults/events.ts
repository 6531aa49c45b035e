import { randomUUID } from 'node:crypto';
import { encodeHtml, isClientEventName, type Message } from '../../spec/index.ts';
import type { ChatSocket } from '../context.ts';
import { requireChannel } from '../events/access.ts';
import type { Handler } from '../events/handler.ts';
import type { EventPipeline } from '../events/pipeline.ts';
import { channelRoom } from '../rooms.ts';

/**
 * `ack-before-durable`: message:send acks and broadcasts a provisional message and writes it two
 * seconds later, so a crash in between loses an acked message (S10; its acks carry no stored seq,
 * so S02 and S03 catch it too). A send from outside the channel still gets the real refusal.
 */
export function ackBeforeDurable(real: Handler<'message:send'>): Handler<'message:send'> {
  return async (ctx, call, payload) => {
    if (!call.socket.rooms.has(channelRoom(payload.channelId))) return real(ctx, call, payload);
    const channel = await requireChannel(ctx, payload.channelId);
    const draft = {
      channelId: payload.channelId,
      authorId: call.identity.userId,
      authorName: call.identity.name,
      text: payload.text,
      clientMsgId: payload.clientMsgId,
      attachments: (payload.attachments ?? []).map((a) => ({ ...a, nameHtml: encodeHtml(a.name) })),
    };
    const provisional: Message = {
      id: randomUUID(),
      channelId: draft.channelId,
      authorId: draft.authorId,
      authorName: draft.authorName,
      authorNameHtml: encodeHtml(draft.authorName),
      text: draft.text,
      html: encodeHtml(draft.text),
      attachments: draft.attachments,
      clientMsgId: draft.clientMsgId,
      createdAt: new Date().toISOString(),
      editedAt: null,
      seq: channel.lastSeq + 1,
    };
    setTimeout(() => void ctx.store.insertMessage(draft).catch(() => {}), 2_000).unref();
    ctx.metrics.inc('messagesSent');
    ctx.io.to(channelRoom(draft.channelId)).emit('message:new', provisional);
    return provisional;
  };
}

/** `throw-in-handler`: channel:history throws an unexpected error after validation (ACK-6, OPS-4 on a real process). */
export const throwingHistory: Handler<'channel:history'> = async () => {
  throw new Error('fault throw-in-handler');
};

/** `wrong-error-shape`: refusals are acked as `{ error: message }` instead of the spec's envelope (C02, C07). */
export function wrongErrorShape(pipeline: EventPipeline): EventPipeline {
  return {
    ...pipeline,
    answer: (ack, response) => (response.ok ? pipeline.answer(ack, response) : ack({ error: response.error.message })),
  };
}

/**
 * `crash-on-bad-payload`: a client event (with an ack) whose payload is not an object throws
 * outside any handler, which ends the process (OPS-4; C02 and the fuzzer catch it). Installed as a
 * Socket.IO per-socket middleware, which sees every incoming event before the dispatch does.
 */
export function crashOnBadPayload(socket: ChatSocket): void {
  socket.use(([event, ...args], next) => {
    const payload = args.length > 1 ? args[0] : undefined;
    if (isClientEventName(event) && typeof args.at(-1) === 'function' && (typeof payload !== 'object' || payload === null)) {
      setImmediate(() => {
        throw new Error(`fault crash-on-bad-payload: ${String(event)} payload was ${typeof payload}`);
      });
    }
    next();
  });
}

/**
 * `ban-reason-dropped`: a ban's `session:ended` leaves without `reason` and `reasonHtml` (MOD-3), the
 * reason then readable only inside `message`, unencoded. Changed on its way out, as Engine.IO hands the
 * encoded packet over ('packetCreate' fires before the packet is queued), so the ban handler stays real.
 */
export function dropBanReason(socket: ChatSocket): void {
  socket.conn.on('packetCreate', (packet: { type: string; data?: unknown; options?: { wsPreEncodedFrame?: unknown } }) => {
    if (packet.type !== 'message' || typeof packet.data !== 'string' || !packet.data.startsWith('2["session:ended"')) return;
    // A Socket.IO EVENT packet ("2" then the JSON array); Engine.IO adds its own "4" when it frames it.
    const args = JSON.parse(packet.data.slice(1)) as [string, { code?: string; reason?: unknown; reasonHtml?: unknown }, ...unknown[]];
    if (args[1]?.code !== 'BANNED') return;
    delete args[1].reason;
    delete args[1].reasonHtml;
    packet.data = `2${JSON.stringify(args)}`;
    // A broadcast carries its WebSocket frame pre-encoded for every socket; this one must be framed anew.
    if (packet.options) delete packet.options.wsPreEncodedFrame;
  });
}
