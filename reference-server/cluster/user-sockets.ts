import type { NodeContext, SocketData } from '../context.ts';
import type { ServerToClientEvents } from '../../spec/index.ts';
import { userRoom } from '../rooms.ts';

/** What handlers do with a user's socket, wherever it is (a local Socket or a RemoteSocket). */
export interface UserSocket {
  readonly id: string;
  readonly rooms: Set<string>;
  readonly data: SocketData;
  emit<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): boolean;
  leave(room: string): unknown;
  disconnect(close?: boolean): unknown;
}

/**
 * A user's sockets on every node. While the cross-node link is down (DEG-1) only this node's are
 * reachable, so only they are returned, at once, instead of waiting for nodes that cannot answer.
 */
export async function userSockets(ctx: NodeContext, userId: string): Promise<UserSocket[]> {
  return roomSockets(ctx, userRoom(userId));
}

/** The sockets in a room (a user's, a channel's) on every node, with the same fallback as userSockets. */
export async function roomSockets(ctx: NodeContext, room: string): Promise<UserSocket[]> {
  if (!ctx.crossNode) return ctx.io.in(room).fetchSockets();
  if (ctx.crossNode.up()) {
    try {
      return await ctx.io.in(room).timeout(ctx.config.dependencyTimeoutMs).fetchSockets();
    } catch (err) {
      ctx.log.warn({ err: (err as Error).message, room }, 'cross-node socket look-up failed: using this node only');
    }
  }
  // Read from the namespace itself: the cluster adapter's fetchSockets asks Redis for the node count
  // even when told to stay local.
  const nsp = ctx.io.of('/');
  return [...(nsp.adapter.rooms.get(room) ?? [])].flatMap((id) => {
    const socket = nsp.sockets.get(id);
    return socket ? [socket] : [];
  });
}
