import type { Delivery, History, HistoryOp, OpOutcome } from './history.ts';

/** What the caller says of an op at its invocation (distributes over the union, keeping `f` and `value` paired). */
type OpInput<Op = HistoryOp> = Op extends HistoryOp ? Omit<Op, 'index' | 'invokeMs' | 'completeMs' | 'outcome' | 'result'> : never;
type ResultOf<F extends HistoryOp['f']> = Extract<HistoryOp, { f: F }>['result'];

/** An operation invoked and not yet completed. */
export interface PendingOp<F extends HistoryOp['f']> {
  readonly index: number;
  complete(outcome: OpOutcome, result?: ResultOf<F>): void;
}

/**
 * Records a run's history as it happens (history.ts): operations with their invoke and complete times and
 * outcomes, and deliveries. Times are performance.now() from the recorder's creation. Shared by every client
 * of a run; an op still pending when the history is taken counts as `info` with no completion (unknown).
 */
export class HistoryRecorder {
  private readonly t0 = performance.now();
  private readonly ops: HistoryOp[] = [];
  private readonly deliveries: Delivery[] = [];

  /** Ms since the recorder started, for a performance.now() time (now when omitted). */
  at(perfNow = performance.now()): number {
    return Math.max(0, Math.round((perfNow - this.t0) * 10) / 10);
  }

  invoke<F extends HistoryOp['f']>(op: Extract<OpInput, { f: F }>): PendingOp<F> {
    const index = this.ops.length;
    const entry = { ...op, index, invokeMs: this.at(), completeMs: null, outcome: 'info' } as HistoryOp;
    this.ops.push(entry);
    let done = false;
    return {
      index,
      complete: (outcome, result) => {
        if (done) return;
        done = true;
        entry.completeMs = this.at();
        entry.outcome = outcome;
        if (result !== undefined) entry.result = result as never;
      },
    };
  }

  deliver(d: Omit<Delivery, 'atMs'>, perfNow?: number): void {
    this.deliveries.push({ ...d, atMs: this.at(perfNow) });
  }

  /** The history so far, a copy: pending ops stay `info` without a completion time. */
  history(): History {
    return { endMs: this.at(), ops: this.ops.map((o) => ({ ...o })), deliveries: [...this.deliveries] };
  }
}
