import { runRealtimeLoad, type RealtimeOptions, type RealtimeResult } from './realtime-run.ts';

/**
 * What recording the history costs a load run: the same workload run without and with recording, one
 * phase after another in the same run, against the same target, compared as ratios (never as times: the
 * machine may be shared and noisy, a ratio of phases measured together is what carries over).
 */

/**
 * Unrecorded, recorded, recorded, unrecorded (ABBA): a drift over the run (a store that grows, a JIT that
 * warms, a neighbour that gets busy) falls on both sides alike instead of on one.
 */
export const OVERHEAD_PHASES: readonly boolean[] = [false, true, true, false];

/** Seconds of the warm-up before the phases (at most the phase's duration). */
export const WARM_UP_S = 2;

export interface OverheadPhase {
  recorded: boolean;
  acked: number;
  ackedPerSec: number;
  ackP50Ms: number | null;
  ackP99Ms: number | null;
  runnerCpuUsPerAck: number | null;
}

export interface RecordingOverhead {
  phases: OverheadPhase[];
  /** Mean acked msg/s recorded over unrecorded: 1 costs nothing, 0.9 is 10% fewer messages. */
  ackedPerSecRatio: number | null;
  /** Mean ack p50 and p99 recorded over unrecorded: above 1, recording made acks slower. */
  ackP50Ratio: number | null;
  ackP99Ratio: number | null;
  /** The runner's CPU per acked message, recorded over unrecorded: what recording costs the client side itself. */
  runnerCpuRatio: number | null;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const finite = (xs: readonly (number | null)[]) => xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));

function ratio(phases: readonly OverheadPhase[], of: (p: OverheadPhase) => number | null): number | null {
  const on = mean(finite(phases.filter((p) => p.recorded).map(of)));
  const off = mean(finite(phases.filter((p) => !p.recorded).map(of)));
  return Number.isFinite(on) && Number.isFinite(off) && off > 0 ? Math.round((on / off) * 1000) / 1000 : null;
}

/** The ratios of the recorded phases' figures to the unrecorded ones' (pure). */
export function recordingOverhead(phases: readonly OverheadPhase[]): RecordingOverhead {
  return {
    phases: [...phases],
    ackedPerSecRatio: ratio(phases, (p) => p.ackedPerSec),
    ackP50Ratio: ratio(phases, (p) => p.ackP50Ms),
    ackP99Ratio: ratio(phases, (p) => p.ackP99Ms),
    runnerCpuRatio: ratio(phases, (p) => p.runnerCpuUsPerAck),
  };
}

export function phaseOf(r: RealtimeResult): OverheadPhase {
  const num = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return { recorded: r.config.recorded, acked: r.figures.acked, ackedPerSec: r.figures.ackedPerSec, ackP50Ms: num(r.figures.ackLatencyMs.p50), ackP99Ms: num(r.figures.ackLatencyMs.p99), runnerCpuUsPerAck: r.figures.runnerCpuUsPerAck };
}

/**
 * Runs the workload once per phase (OVERHEAD_PHASES, each `durationS`, each on a fresh channel) and returns
 * the ratios with every phase's result; the recorded phases are judged like any recorded run.
 */
export async function measureRecordingOverhead(target: Parameters<typeof runRealtimeLoad>[0], opts: RealtimeOptions): Promise<{ overhead: RecordingOverhead; results: RealtimeResult[] }> {
  const say = opts.say ?? (() => {});
  const results: RealtimeResult[] = [];
  // A short unrecorded warm-up, not counted: the first phase of a fresh server is slower (JIT, store, sockets).
  const warmUpS = Math.min(WARM_UP_S, opts.durationS);
  say(`recording overhead: warm-up (${warmUpS} s, not counted)`);
  await runRealtimeLoad(target, { ...opts, durationS: warmUpS, record: false });
  for (const [i, record] of OVERHEAD_PHASES.entries()) {
    if (opts.signal?.aborted) break;
    say(`recording overhead: phase ${i + 1} of ${OVERHEAD_PHASES.length}, ${record ? 'recorded' : 'not recorded'}`);
    results.push(await runRealtimeLoad(target, { ...opts, record }));
  }
  return { overhead: recordingOverhead(results.map(phaseOf)), results };
}
