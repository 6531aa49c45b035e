import { z } from 'zod';
import { FaultKind } from '../../testbed/history/history.ts';
import { seededRandom } from '../../testbed/random.ts';

/**
 * A nemesis schedule (pure): fault windows one after another, never overlapping (the executor runs one fault
 * at a time), each healed before the next starts and before the schedule's end, so a run always ends healed.
 * A kill's window is the kill and the restart that heals it at once. Replayable: the same seed, duration,
 * faults and bounds give the same schedule. `--schedule FILE` reads the same shape from JSON.
 */
export const ScheduleWindow = z.object({ fault: FaultKind, startMs: z.number().nonnegative(), healMs: z.number().nonnegative() });
export type ScheduleWindow = z.infer<typeof ScheduleWindow>;

export const NemesisSchedule = z
  .object({
    seed: z.int().nonnegative().nullable().default(null),
    durationMs: z.number().positive(),
    windows: z.array(ScheduleWindow),
  })
  .superRefine((s, ctx) => {
    s.windows.forEach((w, i) => {
      if (w.healMs < w.startMs) ctx.addIssue({ code: 'custom', path: ['windows', i], message: 'healMs before startMs' });
      if (w.healMs > s.durationMs) ctx.addIssue({ code: 'custom', path: ['windows', i], message: 'healed after the schedule ends' });
      const prev = s.windows[i - 1];
      if (prev && w.startMs <= prev.healMs) ctx.addIssue({ code: 'custom', path: ['windows', i], message: 'starts before the previous window is healed (windows may not overlap)' });
    });
  });
export type NemesisSchedule = z.infer<typeof NemesisSchedule>;

export interface ScheduleBounds {
  /** Quiet time between one heal and the next fault, ms. */
  gapMs: { min: number; max: number };
  /** How long a fault other than a kill lasts, ms. */
  holdMs: { min: number; max: number };
  /** At most this many kills (--kills). */
  maxKills: number;
}

/** A seeded random schedule of the `faults` allowed, within `durationMs`. */
export function generateSchedule(seed: number, durationMs: number, faults: readonly FaultKind[], bounds: ScheduleBounds): NemesisSchedule {
  const { gapMs, holdMs } = bounds;
  if (!(gapMs.min >= 1 && gapMs.max >= gapMs.min && holdMs.min >= 1 && holdMs.max >= holdMs.min)) throw new RangeError('need 1 <= min <= max for gapMs and holdMs');
  const next = seededRandom(seed);
  const between = (r: { min: number; max: number }) => r.min + Math.floor(next() * (r.max - r.min + 1));
  const windows: ScheduleWindow[] = [];
  let kills = 0;
  let t = between(gapMs);
  for (;;) {
    const allowed = faults.filter((f) => f !== 'kill' || kills < bounds.maxKills);
    if (allowed.length === 0) break;
    const fault = allowed[Math.floor(next() * allowed.length)]!;
    const hold = fault === 'kill' ? 0 : between(holdMs);
    if (t + hold > durationMs) break;
    windows.push({ fault, startMs: t, healMs: t + hold });
    if (fault === 'kill') kills++;
    t += hold + between(gapMs);
  }
  return { seed, durationMs, windows };
}
