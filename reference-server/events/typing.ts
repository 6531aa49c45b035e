import type { NodeContext } from '../context.ts';
import { errors } from '../errors.ts';
import { channelRoom } from '../rooms.ts';
import type { TypingEntry } from '../state/typing.ts';
import type { Handler } from './handler.ts';

/** Tells a channel's other sockets that an indicator ended (TYP-2, TYP-3). */
export function announceTypingEnded(ctx: NodeContext, entry: TypingEntry): void {
  ctx.io
    .to(channelRoom(entry.channelId))
    .except(entry.socketId)
    .emit('typing', { channelId: entry.channelId, userId: entry.userId, typing: false });
}

/** Ends every indicator of a socket that is gone (SES-2, SES-3); returns how many. */
export function endSocketTyping(ctx: NodeContext, socketId: string): number {
  const entries = ctx.typing.dropSocket(socketId);
  for (const entry of entries) announceTypingEnded(ctx, entry);
  return entries.length;
}

/** Ends a socket's indicator in a channel, if it had one. */
export function endTyping(ctx: NodeContext, socketId: string, channelId: string): void {
  const entry = ctx.typing.stop(socketId, channelId);
  if (entry) announceTypingEnded(ctx, entry);
}

/** TYP-1 */
export const start: Handler<'typing:start'> = async (ctx, call, { channelId }) => {
  if (!call.socket.rooms.has(channelRoom(channelId))) throw errors.forbidden(`join channel ${channelId} first`);
  const userId = call.identity.userId;
  if (ctx.typing.start({ socketId: call.socket.id, userId, channelId })) {
    call.socket.to(channelRoom(channelId)).emit('typing', { channelId, userId, typing: true });
  }
  return { channelId, typing: true };
};

/** TYP-2 */
export const stop: Handler<'typing:stop'> = async (ctx, call, { channelId }) => {
  endTyping(ctx, call.socket.id, channelId);
  return { channelId, typing: false };
};
