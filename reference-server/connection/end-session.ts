import type { z } from 'zod';
import type { SessionEnded } from '../../spec/index.ts';
import type { ChatSocket, NodeContext } from '../context.ts';
import type { UserSocket } from '../cluster/user-sockets.ts';

type Ended = z.infer<typeof SessionEnded>;

/**
 * Tells a socket of this node why its session ends, then ends it (SES-1). The emit is local on
 * purpose: with connection state recovery on, `socket.emit` goes through the adapter, which
 * delivers only after a round trip to Redis, that is after the close below.
 * `transport` closes the connection (clients reconnect, OPS-2a); `disconnect` ends the session.
 */
export function endLocalSession(ctx: NodeContext, socket: ChatSocket, ended: Ended, how: 'disconnect' | 'transport'): void {
  ctx.io.local.to(socket.id).emit('session:ended', ended);
  if (how === 'disconnect') socket.disconnect(true);
  else socket.conn.close();
}

/** The same for a socket on any node: a remote node applies the emit and the disconnect in order. */
export function endUserSession(ctx: NodeContext, socket: UserSocket, ended: Ended): void {
  const local = ctx.io.of('/').sockets.get(socket.id);
  if (local) return endLocalSession(ctx, local, ended, 'disconnect');
  socket.emit('session:ended', ended);
  socket.disconnect(true);
}
