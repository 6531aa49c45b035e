import type { FaultKind } from '../../testbed/history/history.ts';
import { pause } from '../scenario.ts';
import type { FaultStream } from '../fault-stream.ts';
import type { NemesisSchedule } from './schedule.ts';

/**
 * A fault the nemesis can inject: a name, how to start it and how to heal it. The runner's own (kill, pause,
 * partition, latency: nemesis/process-faults.ts) and the dependency scenarios' (Redis or database down...)
 * share this one interface.
 */
export interface NemesisFault {
  name: FaultKind;
  /** `node`: which node a kill or pause strikes (ScheduleWindow.node; the first when left out). */
  start(node?: number): Promise<void>;
  heal(node?: number): Promise<void>;
}

export interface ScheduleRun {
  /** Windows started and healed, per fault. */
  ran: Partial<Record<FaultKind, number>>;
  /** Faults the schedule named that this target cannot do (left out, with the count). */
  skipped: Partial<Record<FaultKind, number>>;
  /** How late the windows started against the schedule (a restart takes longer than the gap), ms. */
  maxLateMs: number;
  /** Windows not started because the schedule's duration had passed (restarts ran long). */
  notReached: number;
  /**
   * Per window played, in order: ms from its heal to the deployment being healthy again (`settle`), null when
   * not by settle's bound, undefined when no `settle` was given (not measured).
   */
  healthyAfterMs: Array<number | null | undefined>;
}

/**
 * Waits, after a heal, until the target is healthy again (every node `healthy`, every breaker closed) and
 * resolves the ms that took, or null when not within its bound. The next window waits for it: a fault on a
 * deployment still recovering from the last would judge neither.
 */
export type Settle = () => Promise<number | null>;

/**
 * Runs a schedule's windows in order from now, each recorded in the stream's history: start at its time (or at
 * once when the last heal, or the settling after it, ran late), hold, heal, settle; none starts after the schedule's duration. An abort or a failed start stops the schedule, and whatever
 * fault is on is healed before returning, so a run always ends healed.
 */
export async function runSchedule(
  schedule: NemesisSchedule,
  faults: ReadonlyMap<FaultKind, NemesisFault>,
  fs: Pick<FaultStream, 'nemesis'>,
  signal: AbortSignal,
  say: (line: string) => void,
  settle?: Settle,
): Promise<ScheduleRun> {
  const t0 = performance.now();
  const out: ScheduleRun = { ran: {}, skipped: {}, maxLateMs: 0, notReached: 0, healthyAfterMs: [] };
  const until = (ms: number) => pause(Math.max(0, t0 + ms - performance.now()), signal);
  for (const [i, w] of schedule.windows.entries()) {
    if (signal.aborted) break;
    const fault = faults.get(w.fault);
    if (!fault) {
      out.skipped[w.fault] = (out.skipped[w.fault] ?? 0) + 1;
      continue;
    }
    await until(w.startMs);
    if (signal.aborted) break;
    // The duration bounds the run: windows pushed past it by slow restarts are counted, not played.
    if (performance.now() - t0 > schedule.durationMs) {
      out.notReached = schedule.windows.length - i;
      break;
    }
    out.maxLateMs = Math.max(out.maxLateMs, Math.round(performance.now() - t0 - w.startMs));
    const node = w.node ?? 0;
    const note = w.node === undefined ? undefined : `node-${node + 1}`;
    await fs.nemesis(w.fault, 'start', () => fault.start(node), note);
    try {
      await until(w.healMs);
    } finally {
      await fs.nemesis(w.fault, 'heal', () => fault.heal(node), note);
    }
    out.ran[w.fault] = (out.ran[w.fault] ?? 0) + 1;
    out.healthyAfterMs.push(settle ? await settle() : undefined);
    if ((i + 1) % 10 === 0 || i === schedule.windows.length - 1) say(`  nemesis: ${i + 1}/${schedule.windows.length} windows at +${Math.round(performance.now() - t0)} ms`);
  }
  return out;
}
