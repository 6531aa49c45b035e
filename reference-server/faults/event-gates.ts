import { isClientEventName, RateLimitName, type ClientEventName } from '../../spec/index.ts';
import { errors } from '../errors.ts';
import type { AckFn } from '../events/pipeline.ts';
import type { SocketHook } from './index.ts';

/*
 * Defects in what happens to an event before its handler (ACK-4, ACK-5, RATE-4): each a packet
 * middleware (`socket.use`) of the kind servers put in front of their handlers, deciding what the
 * dispatcher (events/dispatch.ts) would have decided otherwise. The dispatcher answers unknown
 * events from a catch-all listener (`onAny`), which Socket.IO calls before any middleware; the
 * defects about unknown events take it away, as a server without one has none.
 */

const LIMITED: ReadonlySet<string> = new Set(RateLimitName.options);

/**
 * `unknown-event-unanswered`: an event no handler knows is dropped, as Socket.IO does by default, so
 * a client waiting on its callback never gets the VALIDATION ack ACK-4 asks for: C02, C18.
 */
export const unknownEventUnanswered: SocketHook = (_ctx, socket) => {
  socket.offAny();
};

/**
 * `unknown-event-not-counted`: unknown events are answered VALIDATION by the middleware itself, which
 * counts nothing, so `eventsRejected` never moves for them (ACK-4): C18.
 */
export const unknownEventNotCounted: SocketHook = (_ctx, socket) => {
  socket.offAny();
  socket.use(([event, ...args], next) => {
    if (typeof event === 'string' && isClientEventName(event)) return next();
    const ack = args.at(-1);
    if (typeof ack === 'function') (ack as AckFn)({ ok: false, error: errors.validation(`unknown event "${String(event).slice(0, 64)}"`).toBody() });
  });
};

/**
 * `callbackless-event-processed`: a known event without a callback gets a no-op one, "so fire-and-forget
 * clients work": it is processed, stored and counted as processed, which ACK-5 forbids: C18 (the
 * message sent without a callback is in history; eventsRejected does not move for it).
 */
export const callbacklessEventProcessed: SocketHook = (_ctx, socket) => {
  socket.use((packet, next) => {
    const [event] = packet;
    if (typeof event === 'string' && isClientEventName(event) && typeof packet.at(-1) !== 'function') {
      if (packet.length === 1) packet.push(undefined);
      packet.push(() => {});
    }
    next();
  });
};

/**
 * `invalid-calls-free`: payloads are validated in a middleware ahead of the rate limiter, so an invalid
 * call is answered VALIDATION without using a point of its limit (RATE-4: invalid calls count): C04
 * (its first call of each limit is invalid, so the N+1st is not refused).
 */
export const invalidCallsFree: SocketHook = (ctx, socket) => {
  socket.use(([event, ...args], next) => {
    const ack = args.at(-1);
    if (typeof event !== 'string' || !isClientEventName(event) || !LIMITED.has(event) || typeof ack !== 'function') return next();
    const parsed = ctx.events.payloadSchema(event as ClientEventName).safeParse(args.length > 1 ? args[0] : undefined);
    if (parsed.success) return next();
    (ack as AckFn)({ ok: false, error: errors.invalid(parsed.error, 'payload').toBody() });
  });
};
