import { encodeHtml } from '../../spec/index.ts';
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
    clientMsgId: payload.clientMsgId,
    attachments: payload.attachments?.length ? payload.attachments.map((a) => ({ ...a, nameHtml: encodeHtml(a.name) })) : [],
  };

  const { message, created } = await ctx.store.insertMessage(draft);
  // The stored message carries the key it was stored under, which is this send's (MSG-4): it goes out
  // as it is, not copied once more per send. A store that answered another key is corrected here.
  const shown = message.clientMsgId === payload.clientMsgId ? message : { ...message, clientMsgId: payload.clientMsgId };
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
  ctx.io.to(channelRoom(updated.channelId)).emit('message:updated', updated);
  return updated;
};
