import { channelRoom } from '../rooms.ts';
import { errors } from '../errors.ts';
import { canRead, requireChannel } from './access.ts';
import { endTyping } from './typing.ts';
import type { Handler } from './handler.ts';

/** CHAN-2 */
export const join: Handler<'channel:join'> = async (ctx, call, { channelId }) => {
  const channel = await requireChannel(ctx, channelId);
  if (!(await canRead(ctx, channel, call.identity))) throw errors.forbidden(`channel ${channelId} is private`);
  await call.socket.join(channelRoom(channelId));
  return { channelId, private: channel.private, lastSeq: channel.lastSeq };
};

/** CHAN-3 */
export const leave: Handler<'channel:leave'> = async (ctx, call, { channelId }) => {
  if (!call.socket.rooms.has(channelRoom(channelId))) await requireChannel(ctx, channelId);
  endTyping(ctx, call.socket.id, channelId);
  await call.socket.leave(channelRoom(channelId));
  return { channelId };
};

/** HIST-1, HIST-2 */
export const history: Handler<'channel:history'> = async (ctx, call, { channelId, beforeSeq, limit }) => {
  const channel = await requireChannel(ctx, channelId);
  if (!(await canRead(ctx, channel, call.identity))) throw errors.forbidden(`channel ${channelId} is private`);
  return { channelId, messages: await ctx.store.history(channelId, beforeSeq, limit) };
};
