import { AppError } from '../errors.ts';
import type { NodeContext } from '../context.ts';
import type { SocketHook } from './index.ts';

/**
 * `over-limit-handshake-disconnected`: the per-IP connection limit is applied once the socket has
 * connected, in the connection handler, as many examples do: a handshake over the limit is accepted,
 * then told `session:ended` RATE_LIMITED and disconnected (RATE-2: a handshake over the limit is
 * refused with connect_error): C04. The handshake records the addresses over the limit; the
 * connection hook ends their sockets.
 */
export function limitAfterConnect(): { handshake(ctx: NodeContext): NodeContext; hook: SocketHook } {
  const over = new Map<string, number>();
  return {
    handshake(ctx) {
      const limits = ctx.limits;
      return {
        ...ctx,
        limits: {
          current: () => limits.current(),
          consume: async (name, key) => {
            try {
              await limits.consume(name, key);
            } catch (err) {
              if (name !== 'connection' || !(err instanceof AppError) || err.code !== 'RATE_LIMITED') throw err;
              over.set(key, err.retryAfterMs ?? 0);
            }
          },
          replace: (partial) => limits.replace(partial),
          restore: () => limits.restore(),
        },
      };
    },
    hook(_ctx, socket) {
      const retryAfterMs = over.get(socket.handshake.address);
      if (retryAfterMs === undefined) return;
      over.delete(socket.handshake.address);
      socket.emit('session:ended', { code: 'RATE_LIMITED', message: 'too many connections', retryAfterMs });
      socket.disconnect(true);
    },
  };
}

