/**
 * Group commit: writes that arrive together are committed together, and each caller is answered
 * only after the commit that holds its write (DUR-1). This file is the pure scheduling core; what
 * a commit writes is the caller's `commit` function.
 *
 * When to flush (decideFlush):
 * - nothing in flight: flush at once, so a lone write at low load waits for nobody (with
 *   gatherTurn, the batch is taken at the end of the event-loop turn, with what arrived in it);
 * - a commit in flight: what arrives meanwhile queues and goes in the next batch, which starts as
 *   soon as a commit slot is free and either `maxBatch` writes are queued or the oldest has waited
 *   `maxWaitMs` (a second concurrent commit, where the store allows more than one);
 * - a batch never holds more than `maxBatch` writes.
 */

export interface BatchPolicy {
  /** Most writes in one commit. */
  maxBatch: number;
  /** Longest a queued write waits for a batch to fill while another commit runs. */
  maxWaitMs: number;
  /** Commits running at once: 1 for a single-connection store, more for a pool. */
  maxInFlight: number;
  /**
   * Take each batch one event-loop turn after deciding to flush, not at once. The writes that arrive
   * in that turn (the other sockets' frames read in the same poll) join the batch instead of waiting
   * for the next commit; a lone write waits for that turn alone. Both stores use it: SQLite's commit
   * is synchronous, so nothing else could join a batch while it runs; PostgreSQL's commit costs a
   * round trip and an fsync, which a turn's wait is small beside.
   */
  gatherTurn?: boolean;
}

export const DEFAULT_BATCH_MAX = 64;
export const DEFAULT_BATCH_WAIT_MS = 2;

export type FlushDecision = { kind: 'flush'; count: number } | { kind: 'wait'; ms: number } | { kind: 'idle' };

/** Pure: what the batcher does next, given how many writes are queued, commits running, and the oldest's wait. */
export function decideFlush(queued: number, inFlight: number, oldestWaitedMs: number, policy: BatchPolicy): FlushDecision {
  if (queued === 0 || inFlight >= policy.maxInFlight) return { kind: 'idle' }; // a finished commit decides again
  const count = Math.min(queued, policy.maxBatch);
  if (inFlight === 0 || queued >= policy.maxBatch || oldestWaitedMs >= policy.maxWaitMs) return { kind: 'flush', count };
  return { kind: 'wait', ms: policy.maxWaitMs - oldestWaitedMs };
}

/** One write's outcome inside a committed batch: a batch may refuse one write and keep the others. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Pending<T, R> {
  item: T;
  queuedAt: number;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Queues writes and commits them in batches. `commit` gets the batch in arrival order and answers
 * one Settled per write, in the same order; if it throws, every write of the batch is rejected
 * with that error (nothing of a failed commit is acknowledged).
 */
export class GroupCommit<T, R> {
  private queue: Pending<T, R>[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  /** gatherTurn: the turn's wait is scheduled (undefined: not waiting), or over ('ended'): take the batch. */
  private gathering: NodeJS.Immediate | 'ended' | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly policy: BatchPolicy,
    private readonly commit: (items: T[]) => Promise<Settled<R>[]>,
    private readonly now: () => number = Date.now,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, queuedAt: this.now(), resolve, reject });
      this.pump();
    });
  }

  /** Resolves once nothing is queued or committing (before the store closes). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    for (;;) {
      const oldest = this.queue[0];
      const decision = decideFlush(this.queue.length, this.inFlight, oldest ? this.now() - oldest.queuedAt : 0, this.policy);
      if (decision.kind === 'wait') {
        this.timer ??= setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, decision.ms);
        return;
      }
      if (decision.kind === 'idle') {
        if (this.queue.length === 0 && this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
        return;
      }
      clearTimeout(this.timer);
      this.timer = undefined;
      if (this.policy.gatherTurn && this.gathering !== 'ended') {
        // The batch is taken when the turn ends, with whatever arrived meanwhile (up to maxBatch).
        this.gathering ??= setImmediate(() => {
          this.gathering = 'ended';
          this.pump();
        });
        return;
      }
      this.gathering = undefined;
      void this.run(this.queue.splice(0, decision.count));
    }
  }

  private async run(batch: Pending<T, R>[]): Promise<void> {
    this.inFlight++;
    try {
      const outcomes = await this.commit(batch.map((p) => p.item));
      if (outcomes.length !== batch.length) throw new Error(`a batch of ${batch.length} writes was answered with ${outcomes.length} outcomes`);
      batch.forEach((p, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) p.resolve(outcome.value);
        else p.reject(outcome.error);
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.inFlight--;
      this.pump();
    }
  }
}
