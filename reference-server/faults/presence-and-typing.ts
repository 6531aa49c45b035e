import { TYPING_TIMEOUT_MS } from '../../spec/index.ts';
import { userSockets } from '../cluster/user-sockets.ts';
import type { Handler } from '../events/handler.ts';
import { CHANNEL_ROOM_PREFIX, channelRoom } from '../rooms.ts';

/*
 * Defects in typing and presence that no faulty build proved before the clause audit (issue 13):
 * each a guard or a mapping a hand-written handler forgets.
 */

/** `invisible-published`: the status goes out as the user set it, so the channel sees `invisible` (PRES-2): S07. */
export const invisiblePublished: Handler<'presence:update'> = async (ctx, call, { status }) => {
  const rooms = new Set<string>();
  for (const s of await userSockets(ctx, call.identity.userId)) for (const room of s.rooms) if (room.startsWith(CHANNEL_ROOM_PREFIX)) rooms.add(room);
  if (rooms.size > 0) ctx.io.to([...rooms]).emit('presence', { userId: call.identity.userId, status: status as 'online' });
  return { status };
};

/** `typing-without-membership`: typing:start from a socket not in the channel is broadcast there and acked (TYP-1): S06. */
export function typingWithoutMembership(real: Handler<'typing:start'>): Handler<'typing:start'> {
  return async (ctx, call, payload) => {
    const room = channelRoom(payload.channelId);
    if (call.socket.rooms.has(room)) return real(ctx, call, payload);
    call.socket.to(room).emit('typing', { channelId: payload.channelId, userId: call.identity.userId, typing: true });
    return { channelId: payload.channelId, typing: true };
  };
}

/**
 * `typing-timeout-hardcoded`: indicators end after the spec's default 5 000 ms whatever TYPING_TIMEOUT_MS
 * says, while GET /spec publishes the configured value (TYP-3): C11 (run with a 1 000 ms timeout).
 */
export const hardcodedTypingTimeout = (_configured: number): number => TYPING_TIMEOUT_MS;

/** `typing-echoes-typist`: the indicator goes to the whole channel, the typist included, as `io.to(room)` sends it (TYP-1): S06. */
export function typingEchoesTypist(real: Handler<'typing:start'>): Handler<'typing:start'> {
  return async (ctx, call, payload) => {
    const started = await real(ctx, call, payload);
    call.socket.emit('typing', { channelId: payload.channelId, userId: call.identity.userId, typing: true });
    return started;
  };
}

/** `typing-stop-silent`: typing:stop ends the indicator without telling the others, who wait for its timeout (TYP-2): S06. */
export const typingStopSilent: Handler<'typing:stop'> = async (ctx, call, { channelId }) => {
  ctx.typing.stop(call.socket.id, channelId);
  return { channelId, typing: false };
};
