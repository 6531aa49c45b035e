import { randomUUID } from 'node:crypto';
import { encodeHtml, type Message } from '../../spec/index.ts';
import type { NodeContext } from '../context.ts';
import { errors } from '../errors.ts';
import { channelRoom } from '../rooms.ts';
import type { NewMessage } from '../store/types.ts';
import { canRead, requireChannel } from './access.ts';
import type { Handler } from './handler.ts';

/** MSG-1..6, DUR-1: stored first, then broadcast and acked. */
export const send: Handler<'message:send'> = async (ctx, call, payload) => {
  const { channelId } = payload;
  if (!call.socket.rooms.has(channelRoom(channelId))) {
    await requireChannel(ctx, channelId);
    throw errors.forbidden(`join channel ${channelId} first`);
  }
  const draft: NewMessage = {
    channelId,
    authorId: call.identity.userId,
    authorName: call.identity.name,
    text: payload.text,
    clientMsgId: ctx.faults.has('no-idempotency') ? `${payload.clientMsgId}#${randomUUID()}` : payload.clientMsgId,
    attachments: (payload.attachments ?? []).map((a) => ({ ...a, nameHtml: encodeHtml(a.name) })),
  };
  if (ctx.faults.has('ack-before-durable')) return ackBeforeDurable(ctx, draft, payload.clientMsgId);

  const { message, created } = await ctx.store.insertMessage(draft);
  const shown = withFaults(ctx, { ...message, clientMsgId: payload.clientMsgId });
  if (created) {
    ctx.metrics.inc('messagesSent');
    ctx.io.to(channelRoom(channelId)).emit('message:new', shown);
  }
  return shown;
};

/** MSG-7 */
export const edit: Handler<'message:edit'> = async (ctx, call, { messageId, text }) => {
  const message = await ctx.store.getMessage(messageId);
  if (!message) throw errors.notFound(`message ${messageId}`);
  const channel = await requireChannel(ctx, message.channelId);
  if (!(await canRead(ctx, channel, call.identity))) throw errors.notFound(`message ${messageId}`);
  if (message.authorId !== call.identity.userId) throw errors.forbidden('only the author may edit a message');
  const updated = await ctx.store.editMessage(messageId, text);
  if (!updated) throw errors.notFound(`message ${messageId}`);
  const shown = withFaults(ctx, updated);
  ctx.io.to(channelRoom(updated.channelId)).emit('message:updated', shown);
  return shown;
};

/** Fault `blacklist-sanitizer`: the classic mistake TEXT-2 forbids, kept here to prove the checks catch it. */
function withFaults(ctx: NodeContext, message: Message): Message {
  if (!ctx.faults.has('blacklist-sanitizer')) return message;
  const stripped = message.text.replace(/<\s*\/?\s*script[^>]*>/gi, '').replace(/javascript:/gi, '');
  return { ...message, html: stripped };
}

/** Fault `ack-before-durable`: acks a provisional message and writes it later, so a crash loses it. */
async function ackBeforeDurable(ctx: NodeContext, draft: NewMessage, clientMsgId: string): Promise<Message> {
  const channel = await requireChannel(ctx, draft.channelId);
  const provisional: Message = {
    id: randomUUID(),
    channelId: draft.channelId,
    authorId: draft.authorId,
    authorName: draft.authorName,
    authorNameHtml: encodeHtml(draft.authorName),
    text: draft.text,
    html: encodeHtml(draft.text),
    attachments: draft.attachments,
    clientMsgId,
    createdAt: new Date().toISOString(),
    editedAt: null,
    seq: channel.lastSeq + 1,
  };
  setTimeout(() => void ctx.store.insertMessage(draft).catch(() => {}), 2_000).unref();
  ctx.metrics.inc('messagesSent');
  ctx.io.to(channelRoom(draft.channelId)).emit('message:new', provisional);
  return provisional;
}
