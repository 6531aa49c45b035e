import { canModerate, encodeHtml } from '../../spec/index.ts';
import type { Call, NodeContext } from '../context.ts';
import { errors } from '../errors.ts';
import { roomSockets, userSockets } from '../cluster/user-sockets.ts';
import { channelRoom, userRoom } from '../rooms.ts';
import { requireChannel } from './access.ts';
import { endTyping } from './typing.ts';
import type { Handler } from './handler.ts';
import { endUserSession } from '../connection/end-session.ts';

function requireModerator(call: Call, targetUserId: string): void {
  if (!canModerate(call.identity.roles)) throw errors.forbidden('moderator or admin role required');
  if (targetUserId === call.identity.userId) throw errors.validation('userId: you cannot moderate yourself');
}

/** MOD-1, MOD-2, MOD-4 */
export const kick: Handler<'moderation:kick'> = async (ctx, call, { channelId, userId, reason }) => {
  requireModerator(call, userId);
  const channel = await requireChannel(ctx, channelId);
  const room = channelRoom(channelId);
  const all = await userSockets(ctx, userId);
  const sockets = all.filter((s) => s.rooms.has(room));
  const notice = { channelId, reason, reasonHtml: encodeHtml(reason), by: call.identity.userId };
  for (const s of sockets) {
    s.leave(room);
    endTyping(ctx, s.id, channelId);
    s.emit('moderation:kicked', notice);
  }
  // SES-8: the user's sockets that are away (held for recovery) are kicked too. The notice goes to
  // the user's room minus every socket that is connected, so it reaches no live socket but lands in
  // the recovery log (in memory, or the Redis stream across nodes): a session recovered later gets
  // it among its missed broadcasts, and the recovery drops the channel (connection/recovery.ts).
  ctx.io.to(userRoom(userId)).except(all.map((s) => s.id)).emit('moderation:kicked', notice);
  if (channel.private) await ctx.store.removeMember(channelId, userId);
  return { channelId, userId, socketsRemoved: sockets.length };
};

/**
 * CHAN-5: after a private channel's member list was replaced (or a channel made private), the
 * sockets in it whose user may no longer read it leave it, on every node, and are told as a kick
 * tells them (by the admin who changed it). Otherwise a removed member would keep receiving and
 * posting through a socket that joined earlier (CHAN-4). Returns how many were removed.
 */
export async function removeNonReaders(ctx: NodeContext, channelId: string, by: string): Promise<number> {
  const channel = await requireChannel(ctx, channelId);
  if (!channel.private) return 0;
  const room = channelRoom(channelId);
  const members = new Set(await ctx.store.listMembers(channelId));
  const reason = 'removed from the channel\'s members';
  let removed = 0;
  for (const s of await roomSockets(ctx, room)) {
    const who = s.data.identity;
    if (who.roles.includes('admin') || members.has(who.userId)) continue;
    s.leave(room);
    endTyping(ctx, s.id, channelId);
    s.emit('moderation:kicked', { channelId, reason, reasonHtml: encodeHtml(reason), by });
    removed++;
  }
  return removed;
}

/** MOD-1, MOD-3, MOD-4 */
export const ban: Handler<'moderation:ban'> = async (ctx, call, { userId, reason, durationMs }) => {
  requireModerator(call, userId);
  const until = durationMs === undefined ? null : new Date(Date.now() + durationMs);
  await ctx.store.putBan({ userId, reason, by: call.identity.userId, until });
  const sockets = await userSockets(ctx, userId);
  const ended = {
    code: 'BANNED' as const,
    message: `banned: ${reason}`,
    reason,
    reasonHtml: encodeHtml(reason),
    ...(durationMs === undefined ? {} : { retryAfterMs: durationMs }),
  };
  for (const s of sockets) endUserSession(ctx, s, ended);
  if (ctx.crossNode && !ctx.crossNode.up()) {
    // DEG-2: the user's sockets on other nodes are ended when the link returns (held sends, in order).
    ctx.io.in(userRoom(userId)).emit('session:ended', ended);
    ctx.io.in(userRoom(userId)).disconnectSockets(true);
  }
  return { userId, until: until?.toISOString() ?? null, socketsDisconnected: sockets.length };
};
