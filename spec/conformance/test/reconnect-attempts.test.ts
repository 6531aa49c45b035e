// C12's reading of reconnect attempts (checks/recovery/reconnect-attempts.ts) on attempt times modelled from DEG-6.
import { describe, expect, it } from 'vitest';
import { seededRandom as seeded } from '../../../testbed/random.ts';
import { jitterShare, thinning, waves } from '../checks/recovery/reconnect-attempts.ts';

const MIN = 100;
const MAX = 800;
const OUTAGE = 3_500;

type Delay = (attempt: number, random: () => number) => number;
/** DEG-6: min·2^(n-1) plus up to 20 %, never above max. */
const specDelay: Delay = (n, random) => Math.min(MAX, Math.min(MAX, MIN * 2 ** (n - 1)) * (1 + 0.2 * random()));

/**
 * Accept times of `connections` clients cut at 0 that retry by `delay` until OUTAGE, each attempt also late by
 * up to `lagMs` (a loaded machine's event loop and connect).
 */
function attempts(connections: number, delay: Delay, random: () => number, lagMs = 0): number[] {
  const out: number[] = [];
  for (let c = 0; c < connections; c++) {
    let at = 0;
    for (let n = 1; ; n++) {
      at += delay(n, random) + lagMs * random();
      if (at > OUTAGE) break;
      out.push(at);
    }
  }
  return out.sort((a, b) => a - b);
}

describe('thinning (the backoff grows)', () => {
  it('the spec backoff of four connections: about three times the attempts in the first max as in the last', () => {
    const spans = thinning(attempts(4, specDelay, seeded(1)), MAX)!;
    expect(spans).toEqual({ early: 12, late: 4 });
    expect(spans.early).toBeGreaterThanOrEqual(1.5 * spans.late);
  });

  it('a fixed delay keeps the rate: as many attempts first as last', () => {
    const spans = thinning(attempts(4, (_n, random) => specDelay(1, random), seeded(2)), MAX)!;
    expect(spans.early / spans.late).toBeLessThan(1.5);
  });

  it('says nothing of an outage whose attempts span less than twice the max', () => {
    expect(thinning([0, 100, 300, 700, 1_500], MAX)).toBeUndefined();
    expect(thinning([], MAX)).toBeUndefined();
  });
});

describe('waves and the jitter share', () => {
  it('the spec backoff of four connections: six waves of four, about half the jitter room taken', () => {
    const groups = waves(attempts(4, specDelay, seeded(3)), MIN);
    expect(groups.map((w) => w.length)).toEqual([4, 4, 4, 4, 4, 4]);
    const reading = jitterShare(groups, MIN, MAX)!;
    expect(reading.share).toBeGreaterThan(0.15);
    expect(reading.overheadMs).toBeCloseTo(0, 6);
  });

  it('exact doubling retries in lockstep: no jitter taken, the overhead of each attempt read at the max', () => {
    const groups = waves(attempts(4, (n) => specDelay(n, () => 0) + 7, seeded(4)), MIN);
    expect(groups.map((w) => w.length)).toEqual([4, 4, 4, 4, 4, 4]);
    const reading = jitterShare(groups, MIN, MAX)!;
    expect(reading.share).toBeCloseTo(0, 6);
    expect(reading.overheadMs).toBeCloseTo(7, 6);
  });

  it('reads the waves up to the first of another size, and needs waits both below and at the max', () => {
    expect(jitterShare([[0, 1], [200, 201], [600]], MIN, MAX)).toBeUndefined();
    expect(jitterShare([[0], [230], [660], [1460], [2260], [2270, 2280]], MIN, MAX)).toEqual({ share: 0.5, overheadMs: 0 });
    expect(jitterShare([[0, 1], [200, 201], [600, 601]], MIN, MAX)).toBeUndefined();
    expect(jitterShare([[0], [200], [600], [1400]], MIN, MAX)).toEqual({ share: 0, overheadMs: 0 });
  });
});

it('C12 does not flake on the clean backoff, nor pass the faulty ones, with up to 15 ms of lag per attempt (2 000 model runs each)', () => {
  const verdict = (list: number[]) => {
    const spans = thinning(list, MAX);
    const reading = jitterShare(waves(list, MIN), MIN, MAX);
    return { grows: spans !== undefined && spans.early >= 1.5 * spans.late, jitter: reading !== undefined && reading.share >= 0.15 };
  };
  const clean = { grows: 0, jitter: 0 };
  const noBackoff = { grows: 0 };
  const noJitter = { jitter: 0 };
  const random = seeded(6);
  for (let run = 0; run < 2_000; run++) {
    const c = verdict(attempts(4, specDelay, random, 15));
    clean.grows += Number(c.grows);
    clean.jitter += Number(c.jitter);
    noBackoff.grows += Number(verdict(attempts(4, (_n, r) => specDelay(1, r), random, 15)).grows);
    noJitter.jitter += Number(verdict(attempts(4, (n) => specDelay(n, () => 0), random, 15)).jitter);
  }
  expect({ clean, noBackoff, noJitter }).toEqual({ clean: { grows: 2_000, jitter: 2_000 }, noBackoff: { grows: 0 }, noJitter: { jitter: 0 } });
});
