/**
 * What the reconnect attempts a proxy saw during one outage say about DEG-6's backoff (exponential from
 * REDIS_RECONNECT_MIN_MS up to REDIS_RECONNECT_MAX_MS, plus up to 20 % jitter). Pure: times in ms on any one clock.
 *
 * The proxy cannot tell a node's Redis connections apart (the reference has four: its own, the adapter's
 * publisher, reader and subscriber), so nothing here follows one connection. Two things hold for the attempts
 * of all connections together when each backs off, and fail when one does not:
 * - they thin out: the first REDIS_RECONNECT_MAX_MS after the first attempt holds more attempts than the last
 *   one before the heal, where every connection waits the max (a fixed delay keeps the rate);
 * - connections cut at the same instant retry in waves (the n-th attempt of each), and jitter spreads a wave
 *   out; without it the connections retry in lockstep and each wave is one instant.
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

/** The waves read for jitter: up to the first at the max, whose spread the later ones keep; later ones add only drift. */
const JITTER_WAVES = 4;

/**
 * The widest spread (last minus first attempt) among the first JITTER_WAVES waves of two attempts or more;
 * undefined when there are none (one connection). Connections in lockstep drift apart by a millisecond or two
 * a wave; jitter spreads the n-th wave by up to 20 % of the steps so far.
 */
export function widestEarlyWave(groups: readonly number[][]): number | undefined {
  const spreads = groups.slice(0, JITTER_WAVES).filter((w) => w.length >= 2).map((w) => w.at(-1)! - w[0]!);
  return spreads.length === 0 ? undefined : Math.max(...spreads);
}
