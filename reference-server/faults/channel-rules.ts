import { canModerate, encodeHtml } from '../../spec/index.ts';
import { userSockets } from '../cluster/user-sockets.ts';
import type { Call } from '../context.ts';
import { errors } from '../errors.ts';
import { requireChannel } from '../events/access.ts';
import type { Handler } from '../events/handler.ts';
import { endTyping } from '../events/typing.ts';
import { CHANNEL_ROOM_PREFIX, channelRoom } from '../rooms.ts';

/*
 * Defects in the answers of channel events (CHAN-2, MSG-1, HIST-2, TYP-2, MOD-2, MOD-3): each a guard
 * or a count a handler gets subtly wrong. The wrappers keep the real handler for everything else.
 */

/** The call as seen from a socket that is in `room` too, for a handler that asks `socket.rooms`. */
function asIfIn(call: Call, room: string): Call {
  const rooms = new Set([...call.socket.rooms, room]);
  return { ...call, socket: new Proxy(call.socket, { get: (target, prop) => (prop === 'rooms' ? rooms : Reflect.get(target, prop)) }) };
}

/**
 * `join-unknown-forbidden`: channel:join answers an unknown channel FORBIDDEN, as an access check that
 * finds no membership row says no before anything says "no such channel" (CHAN-2: NOT_FOUND): S01.
 */
export function joinUnknownForbidden(real: Handler<'channel:join'>): Handler<'channel:join'> {
  return async (ctx, call, payload) => {
    if (!(await ctx.store.getChannel(payload.channelId))) throw errors.forbidden(`channel ${payload.channelId} is not open to you`);
    return real(ctx, call, payload);
  };
}

/** `join-twice-refused`: joining a channel the socket is already in is refused "already joined" (CHAN-2: joining twice is fine): S01. */
export function joinTwiceRefused(real: Handler<'channel:join'>): Handler<'channel:join'> {
  return async (ctx, call, payload) => {
    if (call.socket.rooms.has(channelRoom(payload.channelId))) throw errors.validation(`channelId: already joined ${payload.channelId}`);
    return real(ctx, call, payload);
  };
}

/**
 * `join-last-seq-stale`: the join's `lastSeq` comes from the channel as it was created (a cached row no
 * insert updates), so it stays 0 however many messages the channel has (CHAN-2): S01 (a join after a message).
 */
export function joinLastSeqStale(real: Handler<'channel:join'>): Handler<'channel:join'> {
  return async (ctx, call, payload) => ({ ...(await real(ctx, call, payload)), lastSeq: 0 });
}

/**
 * `send-without-join`: message:send checks who may read the channel (public: anyone), not whether this
 * socket joined it, so a socket that never joined sends (MSG-1: FORBIDDEN): S01.
 */
export function sendWithoutJoin(real: Handler<'message:send'>): Handler<'message:send'> {
  return async (ctx, call, payload) => {
    const room = channelRoom(payload.channelId);
    if (call.socket.rooms.has(room)) return real(ctx, call, payload);
    const channel = await requireChannel(ctx, payload.channelId);
    if (channel.private) throw errors.forbidden(`join channel ${payload.channelId} first`);
    return real(ctx, asIfIn(call, room), payload);
  };
}

/**
 * `send-unknown-channel-forbidden`: message:send refuses every socket not in the channel FORBIDDEN
 * without looking the channel up, so an unknown channel is FORBIDDEN too (MSG-1: NOT_FOUND): S02.
 */
export function sendUnknownChannelForbidden(real: Handler<'message:send'>): Handler<'message:send'> {
  return async (ctx, call, payload) => {
    if (!call.socket.rooms.has(channelRoom(payload.channelId))) throw errors.forbidden(`join channel ${payload.channelId} first`);
    return real(ctx, call, payload);
  };
}

/**
 * `history-needs-join`: channel:history is answered only to a socket in the channel, so a public
 * channel cannot be read before joining (HIST-2: public readable by all without joining): S04.
 */
export function historyNeedsJoin(real: Handler<'channel:history'>): Handler<'channel:history'> {
  return async (ctx, call, payload) => {
    await requireChannel(ctx, payload.channelId);
    if (!call.socket.rooms.has(channelRoom(payload.channelId)) && !call.identity.roles.includes('admin')) {
      throw errors.forbidden(`join channel ${payload.channelId} first`);
    }
    return real(ctx, call, payload);
  };
}

/**
 * `typing-stop-always-broadcast`: typing:stop tells the channel `typing: false` whether or not the
 * socket was typing (TYP-2: stopping when not typing sends nothing): S06.
 */
export const typingStopAlwaysBroadcast: Handler<'typing:stop'> = async (ctx, call, { channelId }) => {
  ctx.typing.stop(call.socket.id, channelId);
  call.socket.to(channelRoom(channelId)).emit('typing', { channelId, userId: call.identity.userId, typing: false });
  return { channelId, typing: false };
};

/**
 * `kick-removes-one-socket`: the kick looks for the user's socket in the channel with `find` where
 * `filter` was meant, so only the first leaves the channel and is told (MOD-2: every socket): S08.
 */
export const kickRemovesOneSocket: Handler<'moderation:kick'> = async (ctx, call, { channelId, userId, reason }) => {
  if (!canModerate(call.identity.roles)) throw errors.forbidden('moderator or admin role required');
  if (userId === call.identity.userId) throw errors.validation('userId: you cannot moderate yourself');
  const channel = await requireChannel(ctx, channelId);
  const room = channelRoom(channelId);
  const first = (await userSockets(ctx, userId)).find((s) => s.rooms.has(room));
  const sockets = first ? [first] : [];
  for (const s of sockets) {
    s.leave(room);
    endTyping(ctx, s.id, channelId);
    s.emit('moderation:kicked', { channelId, reason, reasonHtml: encodeHtml(reason), by: call.identity.userId });
  }
  if (channel.private) await ctx.store.removeMember(channelId, userId);
  return { channelId, userId, socketsRemoved: sockets.length };
};

/**
 * `ban-counts-channel-sockets`: the ban's `socketsDisconnected` counts the user's sockets found through
 * the channels they are in, missing a socket in no channel (MOD-3: every socket of the user): S08.
 */
export function banCountsChannelSockets(real: Handler<'moderation:ban'>): Handler<'moderation:ban'> {
  return async (ctx, call, payload) => {
    const inChannels = (await userSockets(ctx, payload.userId)).filter((s) => [...s.rooms].some((r) => r.startsWith(CHANNEL_ROOM_PREFIX))).length;
    return { ...(await real(ctx, call, payload)), socketsDisconnected: inChannels };
  };
}

/**
 * `leave-keeps-typing`: channel:leave takes the socket out of the room and forgets its indicator there,
 * telling nobody, so the others see it typing until the indicator would have expired (CHAN-3, TYP-3:
 * leaving ends it at once): S06.
 */
export const leaveKeepsTyping: Handler<'channel:leave'> = async (ctx, call, { channelId }) => {
  if (!call.socket.rooms.has(channelRoom(channelId))) await requireChannel(ctx, channelId);
  await call.socket.leave(channelRoom(channelId));
  return { channelId };
};

/** `presence-not-broadcast`: presence:update is acked with the status and tells nobody (PRES-1: reaches the user's channels): S07. */
export const presenceNotBroadcast: Handler<'presence:update'> = async (_ctx, _call, { status }) => ({ status });
