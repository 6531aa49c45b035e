/**
 * When the kill scenario strikes (pure): a seeded generator, so a failing run can be replayed with --seed.
 * Each delay is measured from the stream start or from the moment the server served again after the last kill.
 */
import { seededRandom } from '../testbed/random.ts';

/** `kills` whole-millisecond delays, each in [minMs, maxMs]. */
export function killDelays(seed: number, kills: number, minMs: number, maxMs: number): number[] {
  if (!(Number.isInteger(kills) && kills >= 0)) throw new RangeError(`kills must be a whole number >= 0, got ${kills}`);
  if (!(minMs >= 0 && maxMs >= minMs)) throw new RangeError(`need 0 <= minMs <= maxMs, got ${minMs}..${maxMs}`);
  const next = seededRandom(seed);
  return Array.from({ length: kills }, () => Math.min(maxMs, minMs + Math.floor(next() * (maxMs - minMs + 1))));
}
