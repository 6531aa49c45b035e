import { userSockets } from '../cluster/user-sockets.ts';
import type { ChatSocket, NodeContext } from '../context.ts';
import { attachDispatch } from '../events/dispatch.ts';
import { endSocketTyping } from '../events/typing.ts';
import { CHANNEL_ROOM_PREFIX, userRoom } from '../rooms.ts';
import { endLocalSession } from './end-session.ts';

// setTimeout's longest delay; longer token lifetimes are re-armed in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A socket's life on this node: registration, token expiry (AUTH-5), release of its state (SES-2). */
export function startSession(ctx: NodeContext, socket: ChatSocket): void {
  const { userId } = socket.data.identity;
  ctx.metrics.inc('totalConnections');
  void socket.join(userRoom(userId));
  ctx.sessions.add(userId, socket.id);
  attachDispatch(ctx, socket);
  const expiry = armExpiry(ctx, socket);

  socket.on('disconnecting', () => {
    clearTimeout(expiry.timer);
    endSocketTyping(ctx, socket.id);
    if (ctx.sessions.remove(userId, socket.id)) {
      const rooms = [...socket.rooms].filter((r) => r.startsWith(CHANNEL_ROOM_PREFIX));
      if (rooms.length === 0) return;
      if (!ctx.crossNode) {
        socket.to(rooms).emit('presence', { userId, status: 'offline' });
        return;
      }
      // PRES-2 across nodes: offline only when the user has no socket left on any node.
      void userSockets(ctx, userId)
        .then((left) => {
          if (left.some((s) => s.id !== socket.id)) return;
          ctx.io.to(rooms).except(socket.id).emit('presence', { userId, status: 'offline' });
        })
        .catch((err: unknown) => ctx.log.warn({ err, userId }, 'presence offline check failed'));
    }
  });
}

function armExpiry(ctx: NodeContext, socket: ChatSocket): { timer: NodeJS.Timeout | undefined } {
  const slot: { timer: NodeJS.Timeout | undefined } = { timer: undefined };
  const deadline = (socket.data.identity.exp + ctx.config.auth.clockToleranceSec) * 1000;
  const arm = () => {
    const wait = deadline - Date.now();
    if (wait > MAX_TIMER_MS) {
      slot.timer = setTimeout(arm, MAX_TIMER_MS);
      return;
    }
    slot.timer = setTimeout(() => {
      endLocalSession(ctx, socket, { code: 'UNAUTHORIZED', message: 'token expired' }, 'disconnect');
    }, Math.max(0, wait));
  };
  arm();
  return slot;
}
