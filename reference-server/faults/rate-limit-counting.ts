import { isClientEventName, RateLimitName } from '../../spec/index.ts';
import { AppError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import type { Limits } from '../resilience/rate-limits.ts';
import type { SocketHook } from './index.ts';

/*
 * Defects in what counts around the rate limits (MET-1, ACK-5, decided in SPEC 1.0.1), each the
 * mistake a server makes that counts where it refuses rather than where it answers a call. C04
 * drives every limit to N+1 and reads the counters around it.
 */

const LIMITED: ReadonlySet<string> = new Set(RateLimitName.options);

/**
 * `refused-handshake-rate-limited`: every RATE_LIMITED the limiter produces counts in `rateLimited`,
 * the `connection` limit's refused handshakes included, which MET-1 counts in `failedConnections`
 * only: C04 (the N+1st handshake moves rateLimited by 1).
 */
export function countRefusedHandshakes(limits: Limits, metrics: Pick<Metrics, 'inc'>): Limits {
  return {
    current: () => limits.current(),
    consume: async (name, key) => {
      try {
        await limits.consume(name, key);
      } catch (err) {
        if (name === 'connection' && err instanceof AppError && err.code === 'RATE_LIMITED') metrics.inc('rateLimited');
        throw err;
      }
    },
    replace: (partial) => limits.replace(partial),
    restore: () => limits.restore(),
  };
}

/**
 * `callbackless-event-counted`: the limiter runs in a packet middleware (`socket.use`), ahead of the
 * dispatcher's callback check, so a known event without a callback uses up a point of its limit,
 * which ACK-5 forbids: C04 (one event without a callback, then N calls: the N-th is already refused).
 * The dispatcher still counts the calls it answers; the middleware adds the ones it never will.
 */
export const countCallbacklessEvents: SocketHook = (ctx, socket) => {
  socket.use(([event, ...args], next) => {
    if (typeof event === 'string' && isClientEventName(event) && LIMITED.has(event) && typeof args.at(-1) !== 'function') {
      void ctx.limits.consume(event as RateLimitName, socket.data.identity.userId).catch(() => {});
    }
    next();
  });
};
