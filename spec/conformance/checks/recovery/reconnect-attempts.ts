/**
 * What the reconnect attempts a proxy saw during one outage say about DEG-6's backoff (exponential from
 * REDIS_RECONNECT_MIN_MS up to REDIS_RECONNECT_MAX_MS, plus up to 20 % jitter). Pure: times in ms on any one clock.
 *
 * The proxy cannot tell a node's Redis connections apart (the reference has four: its own, the adapter's
 * publisher, reader and subscriber), so nothing here follows one connection. Two things hold for the attempts
 * of all connections together when each backs off, and fail when one does not:
 * - they thin out: the first REDIS_RECONNECT_MAX_MS after the first attempt holds more attempts than the last
 *   one before the heal, where every connection waits the max (a fixed delay keeps the rate);
 * - connections cut at the same instant retry in waves (the n-th attempt of each); the means of successive
 *   waves give the connections' mean wait, and below the max jitter makes it longer than min·2^(n-1) by about
 *   half the 20 % allowed, where exact doubling adds only the overhead that the waits at the max show too.
 * Wave spreads were tried first: on a loaded machine a busy event loop spreads a lockstep wave by 20-30 ms and
 * squeezes a jittered one, while the means of four attempts hold (test/reconnect-attempts.test.ts).
 */

/** Share of the previous interval between waves past which an attempt starts a new wave. */
const NEW_WAVE_SHARE = 0.6;

export interface Thinning {
  /** Attempts in [first, first + maxMs). */
  early: number;
  /** Attempts in (last - maxMs, last]. */
  late: number;
}

/** Attempts in the first and in the last maxMs of the outage; undefined when the two spans overlap (too short an outage). */
export function thinning(attempts: readonly number[], maxMs: number): Thinning | undefined {
  const sorted = [...attempts].sort((a, b) => a - b);
  const first = sorted[0];
  const last = sorted.at(-1);
  if (first === undefined || last === undefined || last - first < 2 * maxMs) return undefined;
  return {
    early: sorted.filter((at) => at < first + maxMs).length,
    late: sorted.filter((at) => at > last - maxMs).length,
  };
}

/**
 * Groups attempts into waves: an attempt joins the current wave unless it comes later than the wave's first
 * attempt by more than NEW_WAVE_SHARE of the interval between the starts of the last two waves (of minMs for
 * the first wave).
 * Jitter (at most 20 % of the steps so far) spreads a wave less than that; the next wave comes a full step later.
 */
export function waves(attempts: readonly number[], minMs: number): number[][] {
  const out: number[][] = [];
  let interval = minMs;
  for (const at of [...attempts].sort((a, b) => a - b)) {
    const current = out.at(-1);
    if (current !== undefined && at - current[0]! <= NEW_WAVE_SHARE * interval) {
      current.push(at);
      continue;
    }
    if (current !== undefined) interval = at - current[0]!;
    out.push([at]);
  }
  return out;
}

/** DEG-6's jitter: up to this share of a step is added to it (never above the max). */
const JITTER = 0.2;

export interface JitterReading {
  /** Share of the jitter DEG-6 allows that the waits below the max took, on average over connections and waits (uniform jitter: 0.5). */
  share: number;
  /** What an attempt adds to its wait (connect and close), read from the waits at the max, where no jitter fits. */
  overheadMs: number;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * How much jitter the waits took, from waves that each hold one attempt of every connection: the mean of a
 * wave minus the mean of the one before is the connections' mean wait, whatever their order. Wave i (from 0)
 * follows a wait of min·2^i, capped at max; what a wait takes beyond it, less the overhead seen at the max,
 * is jitter. Reads the waves up to the first whose size differs from the first's; undefined unless they
 * include waits both below and at the max. Lockstep reads about 0; DEG-6's uniform jitter about 0.5, the mean of the connections' draws.
 */
export function jitterShare(groups: readonly number[][], minMs: number, maxMs: number): JitterReading | undefined {
  // The waves up to the first of another size (the last one, cut short by the heal, or a connection that gave up).
  const other = groups.findIndex((w) => w.length !== groups[0]!.length);
  const full = other < 0 ? groups : groups.slice(0, other);
  const means = full.map(mean);
  const atMax: number[] = [];
  const below: Array<{ excess: number; room: number }> = [];
  for (let i = 1; i < full.length; i++) {
    const step = Math.min(maxMs, minMs * 2 ** i);
    const room = Math.min(maxMs, step * (1 + JITTER)) - step;
    const excess = means[i]! - means[i - 1]! - step;
    if (room > 0) below.push({ excess, room });
    else atMax.push(excess);
  }
  if (atMax.length === 0 || below.length === 0) return undefined;
  const overheadMs = mean(atMax);
  const share = below.reduce((sum, b) => sum + b.excess - overheadMs, 0) / below.reduce((sum, b) => sum + b.room, 0);
  return { share, overheadMs };
}
