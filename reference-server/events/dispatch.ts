import {
  CLIENT_EVENT_NAMES,
  isClientEventName,
  RateLimitName,
  type Ack,
  type AckData,
  type ClientEventName,
  type ErrorBody,
  type Payload,
} from '../../spec/index.ts';
import type { Call, ChatSocket, NodeContext } from '../context.ts';
import { AppError, errors } from '../errors.ts';
import { InFlightGate } from '../resilience/socket-bounds.ts';
import { describeStoreError } from '../store/store-errors.ts';
import type { AckFn } from './pipeline.ts';

// Looked up on every event: a set, not a schema parse.
const LIMITED_EVENTS: ReadonlySet<string> = new Set(RateLimitName.options);

/**
 * Wires every client event of a socket to its handler through one pipeline (ACK-1..6):
 * drain check, rate limit, validation, handler, exactly one ack, counters.
 */
export function attachDispatch(ctx: NodeContext, socket: ChatSocket): void {
  const call: Call = {
    socket,
    identity: socket.data.identity,
    log: ctx.log.child({ socketId: socket.id, userId: socket.data.identity.userId }),
  };
  // RATE-8: per socket, so it goes with the socket.
  const gate = new InFlightGate(ctx.events.inFlightMax);
  for (const event of CLIENT_EVENT_NAMES) {
    socket.on(event, ((...args: unknown[]) => void dispatch(ctx, call, gate, event, args)) as never);
  }
  socket.onAny((event: unknown, ...args: unknown[]) => {
    if (typeof event === 'string' && isClientEventName(event)) return;
    ctx.metrics.inc('eventsRejected');
    const ack = args.at(-1);
    if (typeof ack === 'function') {
      reply(ctx, ack as AckFn, { ok: false, error: errors.validation(`unknown event "${String(event).slice(0, 64)}"`).toBody() });
    }
  });
}

async function dispatch<E extends ClientEventName>(ctx: NodeContext, call: Call, gate: InFlightGate, event: E, args: unknown[]): Promise<void> {
  const last = args.at(-1);
  if (typeof last !== 'function') {
    // ACK-5: a result that cannot be reported is not worth producing.
    ctx.metrics.inc('eventsRejected');
    return;
  }
  if (!gate.tryEnter()) {
    // RATE-8: refused before any work (not even counted for RATE-1), so a burst costs next to nothing.
    reply(ctx, last as AckFn, { ok: false, error: errors.tooManyInFlight().toBody() });
    ctx.metrics.inc('eventsRejected');
    ctx.metrics.inc('rateLimited');
    if (event === 'message:send') ctx.metrics.inc('messagesRejected');
    return;
  }
  const ack = onlyOnce((response) => {
    gate.leave();
    (last as AckFn)(response);
  });
  const payload = args.length > 1 ? args[0] : undefined;
  await ctx.lifecycle.track(async () => {
    try {
      const data = await run(ctx, call, event, payload);
      reply(ctx, ack, { ok: true, data });
      ctx.metrics.inc('eventsProcessed');
    } catch (err) {
      const error = toErrorBody(call, event, err);
      reply(ctx, ack, { ok: false, error });
      ctx.metrics.inc('eventsRejected');
      if (event === 'message:send') ctx.metrics.inc('messagesRejected');
      if (error.code === 'RATE_LIMITED') ctx.metrics.inc('rateLimited');
    }
  });
}

async function run<E extends ClientEventName>(ctx: NodeContext, call: Call, event: E, payload: unknown): Promise<AckData<E>> {
  if (ctx.lifecycle.draining) throw errors.unavailable('server shutting down', 1_000);
  if (LIMITED_EVENTS.has(event)) await ctx.limits.consume(event as RateLimitName, call.identity.userId);
  const parsed = ctx.events.payloadSchema(event).safeParse(payload);
  if (!parsed.success) throw errors.invalid(parsed.error, 'payload');
  return ctx.events.handlers[event](ctx, call, parsed.data as Payload<E>);
}

function toErrorBody(call: Call, event: string, err: unknown): ErrorBody {
  if (err instanceof AppError) {
    // A dependency's own error behind the answer (BRK-6): logged with event, user and socket.
    if (err.cause !== undefined) call.log.warn({ event, code: err.code, storeError: describeStoreError(err.cause) }, 'store call failed');
    return err.toBody();
  }
  // ACK-6, OPS-4: unexpected, so logged with context; the client learns nothing internal.
  call.log.error({ event, err }, 'handler failed');
  return errors.internal().toBody();
}

function reply(ctx: NodeContext, ack: AckFn, response: Ack<unknown>): void {
  ctx.events.answer(ack, response);
}

function onlyOnce(fn: AckFn): AckFn {
  let done = false;
  return (response) => {
    if (done) return;
    done = true;
    fn(response);
  };
}
