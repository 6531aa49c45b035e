import { z } from 'zod';

/**
 * A run's history, Jepsen style: every operation a client or the nemesis made, with when it was invoked and
 * when it completed (ms from the run's start, monotonic), and every `message:new` a member saw. The checkers
 * (checkers/) judge it; the timeline report draws it. Validated once where it is read back (parseHistory).
 */

/**
 * `ok`: the server answered yes. `fail`: it answered a definite no (UNAVAILABLE, RATE_LIMITED, FORBIDDEN...):
 * the operation did not happen. `info`: no answer (timeout, dropped socket, run ended): it may or may not have.
 */
export const OpOutcome = z.enum(['ok', 'fail', 'info']);
export type OpOutcome = z.infer<typeof OpOutcome>;

/**
 * What the nemesis does, a vocabulary that grows: the process faults the runner itself injects, and
 * dependency faults another scenario implements as a name with start()/heal().
 */
export const FaultKind = z.enum([
  'kill',
  'pause',
  'partition',
  'latency',
  'redis-down',
  'redis-latency',
  'db-down',
  'db-latency',
  'reset-peer',
  'slicer',
  'limit-data',
  'timeout',
]);
export type FaultKind = z.infer<typeof FaultKind>;

const Ms = z.number().nonnegative();
const Stored = z.object({ id: z.string(), authorId: z.string(), clientMsgId: z.string(), seq: z.int(), text: z.string().optional() });

const OpTimes = {
  index: z.int().nonnegative(),
  /** Who made it: a client's user id, `nemesis`, or `reader` for the final history read. */
  process: z.string(),
  invokeMs: Ms,
  /** null: never completed before the run ended (then the outcome is `info`). */
  completeMs: Ms.nullable(),
  outcome: OpOutcome,
};

export const HistoryOp = z.discriminatedUnion('f', [
  z.object({
    ...OpTimes,
    f: z.literal('send'),
    value: z.object({ channelId: z.string(), authorId: z.string(), clientMsgId: z.string(), attempt: z.int().positive(), text: z.string().optional() }),
    /** ok: the acked id and seq; fail or info: the error code or why there was no answer. */
    result: z.union([z.object({ id: z.string(), seq: z.int() }), z.object({ code: z.string() })]).optional(),
  }),
  z.object({
    ...OpTimes,
    f: z.literal('join'),
    /**
     * `after: "token-expired"`: the join of a connection made again with a refreshed token after the server
     * ended the session at its token's exp (AUTH-5), not after a fault.
     */
    value: z.object({ channelId: z.string(), after: z.literal('token-expired').optional() }),
    result: z.object({ code: z.string() }).optional(),
  }),
  z.object({
    ...OpTimes,
    f: z.literal('read'),
    value: z.object({ channelId: z.string() }),
    /** ok: the channel's whole stored history in the order the server returned it. */
    result: z.union([z.object({ messages: z.array(Stored) }), z.object({ code: z.string() })]).optional(),
  }),
  z.object({
    ...OpTimes,
    f: z.literal('nemesis'),
    /** `start` opens a fault window (kill, pause, partition...), `heal` closes it (restart, resume, heal). */
    value: z.object({ fault: FaultKind, phase: z.enum(['start', 'heal']), note: z.string().optional() }),
    result: z.object({ code: z.string() }).optional(),
  }),
]);
export type HistoryOp = z.infer<typeof HistoryOp>;
export type SendOp = Extract<HistoryOp, { f: 'send' }>;
export type ReadOp = Extract<HistoryOp, { f: 'read' }>;
export type NemesisOp = Extract<HistoryOp, { f: 'nemesis' }>;

/** A `message:new` a member saw: live, replayed by connection state recovery, or read from history after a reconnect. */
export const Delivery = z.object({
  atMs: Ms,
  process: z.string(),
  channelId: z.string(),
  id: z.string(),
  seq: z.int(),
  authorId: z.string(),
  clientMsgId: z.string(),
  via: z.enum(['live', 'recovery', 'history']),
});
export type Delivery = z.infer<typeof Delivery>;

export const History = z.object({
  /** When recording stopped, ms from the start: nothing after it was observed. */
  endMs: Ms,
  ops: z.array(HistoryOp),
  deliveries: z.array(Delivery),
});
export type History = z.infer<typeof History>;

export function parseHistory(raw: unknown): History {
  return History.parse(raw);
}

/** A fault window: from its start op's invocation to its heal op's completion (or the end, never healed). */
export interface FaultWindow {
  fault: FaultKind;
  startMs: number;
  /** null: never healed before the history ended. */
  healMs: number | null;
  startOp: number;
  healOp: number | null;
}

/** The fault windows of a history, pairing each start with the next heal of the same fault (pure). */
export function faultWindows(history: History): FaultWindow[] {
  const open = new Map<FaultKind, FaultWindow>();
  const windows: FaultWindow[] = [];
  for (const op of history.ops) {
    if (op.f !== 'nemesis') continue;
    const { fault, phase } = op.value;
    if (phase === 'start' && !open.has(fault)) {
      const w: FaultWindow = { fault, startMs: op.invokeMs, healMs: null, startOp: op.index, healOp: null };
      open.set(fault, w);
      windows.push(w);
    } else if (phase === 'heal' && open.has(fault)) {
      const w = open.get(fault)!;
      w.healMs = op.completeMs ?? op.invokeMs;
      w.healOp = op.index;
      open.delete(fault);
    }
  }
  return windows;
}
