import type { NodeContext } from '../context.ts';
import type { SocketHook } from './index.ts';

/*
 * Defects in what the logs look like (OPS-3): each a line a developer adds while debugging and
 * forgets, read by C20 among the target's output.
 */

/** `console-log-on-connect`: a plain-text line per connection (`console.log`), among the JSON logs (OPS-3): C20. */
export const consoleLogOnConnect: SocketHook = (_ctx, socket) => {
  console.log(`client connected: ${socket.id}`);
};

/**
 * `event-logs-without-context`: each handshake logged as an event line without the socket and user
 * it concerns (OPS-3: event lines carry event, userId and socketId): C20.
 */
export function handshakeLoggedWithoutContext(ctx: NodeContext): NodeContext {
  return {
    ...ctx,
    verifier: {
      algorithms: ctx.verifier.algorithms,
      verify(token) {
        ctx.log.info({ event: 'handshake' }, 'handshake received');
        return ctx.verifier.verify(token);
      },
    },
  };
}
