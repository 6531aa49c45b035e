/** Latency figures of a set of samples (milliseconds), nearest-rank percentiles. Pure: no I/O, no clock. */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p97_5: number;
  p99: number;
  max: number;
}

/**
 * The nearest-rank percentile of ascending `sorted`: the smallest sample such that at least `p` percent of
 * the samples are less than or equal to it. `p` in (0, 100]; NaN for no samples.
 */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Summarises samples; every figure is NaN when there are none (printed as "-"). */
export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  let sum = 0;
  for (const s of sorted) sum += s;
  return {
    count: n,
    min: n ? sorted[0]! : Number.NaN,
    mean: n ? sum / n : Number.NaN,
    p50: percentileOfSorted(sorted, 50),
    p95: percentileOfSorted(sorted, 95),
    p97_5: percentileOfSorted(sorted, 97.5),
    p99: percentileOfSorted(sorted, 99),
    max: n ? sorted[n - 1]! : Number.NaN,
  };
}

/** Rounds every figure to `digits` decimals (for output), keeping NaN as null so JSON stays valid. */
export type RoundedSummary = { count: number } & Record<Exclude<keyof LatencySummary, 'count'>, number | null>;

export function roundSummary(s: LatencySummary, digits = 1): RoundedSummary {
  const f = 10 ** digits;
  const r = (v: number) => (Number.isFinite(v) ? Math.round(v * f) / f : null);
  return { count: s.count, min: r(s.min), mean: r(s.mean), p50: r(s.p50), p95: r(s.p95), p97_5: r(s.p97_5), p99: r(s.p99), max: r(s.max) };
}
