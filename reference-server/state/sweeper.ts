import type { NodeContext } from '../context.ts';
import { endSocketTyping } from '../events/typing.ts';

/**
 * The periodic sweep of SES-3: anything per-connection still held for a socket that is gone is
 * released and counted. Disconnect handlers release state at once; this is the net under them.
 */
export function startSweeper(ctx: NodeContext, liveness: (isConnected: (socketId: string) => boolean) => (socketId: string) => boolean = (judge) => judge): () => void {
  const isConnected = liveness((socketId: string) => ctx.io.of('/').sockets.has(socketId));
  const timer = setInterval(() => {
    let removed = ctx.sessions.sweep(isConnected);
    for (const socketId of [...ctx.typing.socketIds()]) {
      if (isConnected(socketId)) continue;
      removed += endSocketTyping(ctx, socketId);
    }
    if (removed > 0) ctx.metrics.inc('staleEntriesCleaned', removed);
  }, ctx.config.cleanupIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
