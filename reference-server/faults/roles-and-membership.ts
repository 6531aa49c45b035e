import type { Call } from '../context.ts';
import { userSockets } from '../cluster/user-sockets.ts';
import type { Handler } from '../events/handler.ts';
import { channelRoom } from '../rooms.ts';
import type { Store } from '../store/types.ts';
import { overrideStore } from './store.ts';

/*
 * Defects in who may do what (CHAN-2, CHAN-4, MOD-1, MOD-2, MOD-4): each a guard a handler forgets.
 * The wrappers hand the real handler a caller it would allow, so everything else it does stays real.
 */

const as = (call: Call, identity: Partial<Call['identity']>): Call => ({ ...call, identity: { ...call.identity, ...identity } });
const withRole = (call: Call, role: 'moderator' | 'admin'): Call => as(call, { roles: [...new Set([...call.identity.roles, role])] });

/** `kick-without-role`: moderation:kick from a member is carried out, the role never checked (MOD-1): S08. */
export function kickWithoutRole(real: Handler<'moderation:kick'>): Handler<'moderation:kick'> {
  return (ctx, call, payload) => real(ctx, withRole(call, 'moderator'), payload);
}

/** `self-moderation-allowed`: a moderator's kick or ban of themselves is carried out (MOD-4): S08. */
export function selfModerationAllowed<E extends 'moderation:kick' | 'moderation:ban'>(real: Handler<E>): Handler<E> {
  return (ctx, call, payload) =>
    real(ctx, (payload as { userId: string }).userId === call.identity.userId ? as(call, { userId: `${call.identity.userId} (self)` }) : call, payload);
}

/** `kick-keeps-membership`: a kick removes the sockets but not the private channel's membership, so the user joins again (MOD-2): S08. */
export function kickKeepsMembership(store: Store): Store {
  return overrideStore(store, { removeMember: async () => {} });
}

/** `private-channels-open`: channel:join lets anyone into a private channel, as if every caller were an admin (CHAN-2): S01. */
export function privateChannelsOpen(real: Handler<'channel:join'>): Handler<'channel:join'> {
  return (ctx, call, payload) => real(ctx, withRole(call, 'admin'), payload);
}

/**
 * `membership-per-user`: a socket may send to a channel another socket of its user joined, as a
 * server keeping membership per user does; it is joined on the way (CHAN-4): S01.
 */
export function membershipPerUser(real: Handler<'message:send'>): Handler<'message:send'> {
  return async (ctx, call, payload) => {
    const room = channelRoom(payload.channelId);
    if (!call.socket.rooms.has(room) && (await userSockets(ctx, call.identity.userId)).some((s) => s.rooms.has(room))) await call.socket.join(room);
    return real(ctx, call, payload);
  };
}

/** `history-ignores-privacy`: channel:history reads a private channel for anyone, as if every caller were an admin (HIST-2): S04. */
export function historyIgnoresPrivacy(real: Handler<'channel:history'>): Handler<'channel:history'> {
  return (ctx, call, payload) => real(ctx, withRole(call, 'admin'), payload);
}

/** `kick-counts-all-sockets`: the kick's ack counts every socket of the user, not those that left the channel (MOD-2: socketsRemoved): S08. */
export function kickCountsAllSockets(real: Handler<'moderation:kick'>): Handler<'moderation:kick'> {
  return async (ctx, call, payload) => {
    const all = await userSockets(ctx, payload.userId);
    const kicked = await real(ctx, call, payload);
    return { ...kicked, socketsRemoved: all.length };
  };
}
