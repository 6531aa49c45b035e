import type { BenchRun } from './bench-run.ts';

/**
 * A bench of several rounds, pure: every round runs every target in turn, and each target at each client count
 * is then shown by one of its rounds, the one whose acked msg/s ratio to bare Socket.IO (of the same round) is
 * the median. On a shared machine the other work comes and goes over minutes and moves the baseline as much
 * as the target: a single round's ratio was seen anywhere from 0.38× to 0.63× for the same build. Taking a
 * whole round, not a median of each figure, keeps a row's figures from one measurement, so its latency,
 * CPU and plots belong to its throughput. Bare Socket.IO is shown by its median-throughput round.
 */

const key = (run: BenchRun) => `${run.target}\u0000${run.clients}`;

/** What ranks a measured round of a run: its throughput ratio, or its throughput (bare, or a bench without bare). */
function rank(run: BenchRun): number {
  return run.ratios?.ackedPerSec ?? (run.outcome.status === 'measured' ? run.outcome.figures.ackedPerSec : 0);
}

/**
 * One run per target and client count, in the first round's order. A run with a round that did not measure
 * (failed or skipped) is that round's outcome, with which round it was: a failure is never hidden behind the
 * rounds that worked. `roundRatios` lists the ratio of every round (bare: none).
 */
export function pickMedianRounds(rounds: readonly (readonly BenchRun[])[]): BenchRun[] {
  if (rounds.length <= 1) return [...(rounds[0] ?? [])];
  const byKey = new Map<string, BenchRun[]>();
  for (const round of rounds) for (const run of round) byKey.set(key(run), [...(byKey.get(key(run)) ?? []), run]);
  return [...byKey.values()].map((runs) => {
    for (const [i, run] of runs.entries()) {
      if (run.outcome.status !== 'measured') return { ...run, outcome: { ...run.outcome, reason: `round ${i + 1} of ${runs.length}: ${run.outcome.reason}` } };
    }
    // The lower middle of an even count: a round that was measured, not an average of two.
    const median = [...runs].sort((a, b) => rank(a) - rank(b))[Math.floor((runs.length - 1) / 2)]!;
    return median.target === 'bare' ? median : { ...median, roundRatios: runs.map((r) => r.ratios?.ackedPerSec ?? null) };
  });
}
