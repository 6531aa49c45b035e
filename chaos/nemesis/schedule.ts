import { z } from 'zod';
import { FaultKind } from '../../testbed/history/history.ts';
import { seededRandom } from '../../testbed/random.ts';

/**
 * A nemesis schedule (pure): fault windows one after another, never overlapping (the executor runs one fault
 * at a time), each healed before the next starts and before the schedule's end, so a run always ends healed.
 * A kill's window is the kill and the restart that heals it at once. Replayable: the same seed, duration,
 * faults and bounds give the same schedule. `--schedule FILE` reads the same shape from JSON.
 */
export const ScheduleWindow = z.object({
  fault: FaultKind,
  startMs: z.number().nonnegative(),
  healMs: z.number().nonnegative(),
  /** Which node a kill or pause strikes (0-based, on a deployment of several nodes); the first when left out. */
  node: z.int().nonnegative().optional(),
});
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

/** Faults that strike one node (the others strike the clients' path or a shared dependency). */
export const NODE_FAULTS: readonly FaultKind[] = ['kill', 'pause'];
/** What a random schedule plays on one node: the runner's own faults. */
export const SINGLE_NODE_FAULTS = ['kill', 'pause', 'partition', 'latency'] as const satisfies readonly FaultKind[];
/** Faults on a deployment's Redis and database (nemesis/dependency-faults.ts puts them in place). */
export const DEPENDENCY_FAULT_KINDS = ['redis-down', 'redis-latency', 'slicer', 'db-down', 'db-latency', 'reset-peer', 'limit-data', 'timeout'] as const satisfies readonly FaultKind[];
export type DependencyFaultKind = (typeof DEPENDENCY_FAULT_KINDS)[number];

export interface ScheduleBounds {
  /** Quiet time between one heal and the next fault, ms. */
  gapMs: { min: number; max: number };
  /** How long a fault other than a kill lasts, ms. */
  holdMs: { min: number; max: number };
  /** At most this many kills (--kills). */
  maxKills: number;
  /** Nodes a kill or pause may strike, each window one of them at random (1 when left out: no `node` field). */
  nodes?: number;
  /**
   * Relative weights of the faults (1 when left out), e.g. kills weighted up to reach a kill count in the
   * time. The draw is among the faults allowed at that point.
   */
  weights?: Partial<Record<FaultKind, number>>;
}

/** A seeded random schedule of the `faults` allowed, within `durationMs`. */
export function generateSchedule(seed: number, durationMs: number, faults: readonly FaultKind[], bounds: ScheduleBounds): NemesisSchedule {
  const { gapMs, holdMs } = bounds;
  if (!(gapMs.min >= 1 && gapMs.max >= gapMs.min && holdMs.min >= 1 && holdMs.max >= holdMs.min)) throw new RangeError('need 1 <= min <= max for gapMs and holdMs');
  const nodes = bounds.nodes ?? 1;
  if (!(Number.isInteger(nodes) && nodes >= 1)) throw new RangeError('nodes must be a whole number >= 1');
  const weightOf = (f: FaultKind) => bounds.weights?.[f] ?? 1;
  if (faults.some((f) => !(weightOf(f) > 0 && Number.isFinite(weightOf(f))))) throw new RangeError('weights must be finite and > 0');
  const next = seededRandom(seed);
  const between = (r: { min: number; max: number }) => r.min + Math.floor(next() * (r.max - r.min + 1));
  const windows: ScheduleWindow[] = [];
  let kills = 0;
  let t = between(gapMs);
  for (;;) {
    const allowed = faults.filter((f) => f !== 'kill' || kills < bounds.maxKills);
    if (allowed.length === 0) break;
    const fault = pick(allowed, allowed.map(weightOf), next());
    const hold = fault === 'kill' ? 0 : between(holdMs);
    if (t + hold > durationMs) break;
    const node = nodes > 1 && NODE_FAULTS.includes(fault) ? Math.floor(next() * nodes) : undefined;
    windows.push({ fault, startMs: t, healMs: t + hold, ...(node === undefined ? {} : { node }) });
    if (fault === 'kill') kills++;
    t += hold + between(gapMs);
  }
  return { seed, durationMs, windows };
}

/** The item a uniform draw `u` in [0, 1) lands on, each taking a share of [0, 1) in proportion to its weight. */
function pick<T>(items: readonly T[], weights: readonly number[], u: number): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let at = u * total;
  for (const [i, item] of items.entries()) {
    at -= weights[i]!;
    if (at < 0) return item;
  }
  return items.at(-1)!;
}

/** What `--schedule random` plays: on one node, or on a deployment of `nodes` nodes (its Redis and database too). */
export interface RandomScheduleOptions {
  maxKills: number;
  /** The longest a fault other than a kill lasts (--cut-ms), ms. */
  holdMaxMs: number;
  /** Nodes of the local deployment the schedule runs on; undefined: one node through the fault proxy. */
  deploymentNodes?: number;
}

/**
 * On a deployment a kill weighs as much as the eight dependency faults together, so that a run of a few
 * minutes reaches both a hundred kills and a few dozen Redis and database faults; pauses are rarer (a paused
 * node's clients wait out their ack timeout).
 */
export const DEPLOYMENT_WEIGHTS: Partial<Record<FaultKind, number>> = { kill: 8, pause: 1 };

export function randomSchedule(seed: number, durationMs: number, o: RandomScheduleOptions): NemesisSchedule {
  const holdMs = { min: 300, max: Math.max(300, o.holdMaxMs) };
  if (o.deploymentNodes === undefined) return generateSchedule(seed, durationMs, SINGLE_NODE_FAULTS, { gapMs: { min: 200, max: 2_000 }, holdMs, maxKills: o.maxKills });
  return generateSchedule(seed, durationMs, ['kill', 'pause', ...DEPENDENCY_FAULT_KINDS], { gapMs: { min: 200, max: 1_000 }, holdMs, maxKills: o.maxKills, nodes: o.deploymentNodes, weights: DEPLOYMENT_WEIGHTS });
}
