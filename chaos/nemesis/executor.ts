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
  start(): Promise<void>;
  heal(): Promise<void>;
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
}

/**
 * Runs a schedule's windows in order from now, each recorded in the stream's history: start at its time (or at
 * once when the last heal ran late), hold, heal; none starts after the schedule's duration. An abort or a failed start stops the schedule, and whatever
 * fault is on is healed before returning, so a run always ends healed.
 */
export async function runSchedule(schedule: NemesisSchedule, faults: ReadonlyMap<FaultKind, NemesisFault>, fs: Pick<FaultStream, 'nemesis'>, signal: AbortSignal, say: (line: string) => void): Promise<ScheduleRun> {
  const t0 = performance.now();
  const out: ScheduleRun = { ran: {}, skipped: {}, maxLateMs: 0, notReached: 0 };
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
    await fs.nemesis(w.fault, 'start', () => fault.start());
    try {
      await until(w.healMs);
    } finally {
      await fs.nemesis(w.fault, 'heal', () => fault.heal());
    }
    out.ran[w.fault] = (out.ran[w.fault] ?? 0) + 1;
    if ((i + 1) % 10 === 0 || i === schedule.windows.length - 1) say(`  nemesis: ${i + 1}/${schedule.windows.length} windows at +${Math.round(performance.now() - t0)} ms`);
  }
  return out;
}
