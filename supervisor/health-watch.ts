import { checkHealth } from './health.ts';
import type { ExitInfo } from './process-group.ts';
import { pause, race, type ExitWatch } from './waits.ts';

export interface HealthWatchOptions {
  intervalMs: number;
  timeoutMs: number;
  stop: AbortSignal;
  /** How long a refused check waits for a pending exit of the server before it counts. */
  exitSettleMs?: number;
}

/** One periodic check's result, with the time its answer (or its failure) came. */
export type PeriodicCheck = { kind: 'passed'; atMs: number } | { kind: 'failed'; atMs: number; error: string };

export type WatchEnd =
  /** The caller's `onCheck` said enough. */
  | { kind: 'done' }
  /** The server exited; `refusedCheckAtMs` when a check it refused just before was that exit. */
  | { kind: 'exit'; exit: ExitInfo; refusedCheckAtMs?: number }
  | { kind: 'stop' };

export const EXIT_SETTLE_MS = 250;

/**
 * After start-up: a check every interval, each reported to `onCheck`, until `onCheck` answers
 * 'done', the server exits or a stop is requested. What a failed check means (how many make a
 * server unhealthy) is the caller's to decide.
 */
export async function watchHealth(server: ExitWatch, url: string, opts: HealthWatchOptions, onCheck: (check: PeriodicCheck) => 'continue' | 'done'): Promise<WatchEnd> {
  for (;;) {
    const waited = await race(pause(opts.intervalMs), server, opts.stop);
    if (waited.kind !== 'value') return waited;
    const probe = await race((signal) => checkHealth(url, opts.timeoutMs, signal), server, opts.stop);
    if (probe.kind !== 'value') return probe;
    const atMs = Date.now();
    const result = probe.value;
    if (!result.ok && !result.timedOut) {
      // A server killed a moment ago refuses the probe before its exit is seen: that failure is
      // the exit. (A hung server times out instead, and is not kept waiting for.)
      const settled = await race(pause(opts.exitSettleMs ?? EXIT_SETTLE_MS), server, opts.stop);
      if (settled.kind === 'exit') return { ...settled, refusedCheckAtMs: atMs };
      if (settled.kind === 'stop') return settled;
    }
    const check: PeriodicCheck = result.ok ? { kind: 'passed', atMs } : { kind: 'failed', atMs, error: result.error };
    if (onCheck(check) === 'done') return { kind: 'done' };
  }
}
