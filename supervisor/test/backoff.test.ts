import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, decideRestart, isStable, jitteredDelayMs, stableAfterMs, type BackoffPolicy } from '../backoff.ts';

const policyArb = fc
  .record({
    initialDelayMs: fc.integer({ min: 0, max: 10_000 }),
    extraMaxMs: fc.integer({ min: 0, max: 120_000 }),
    factor: fc.double({ min: 1, max: 10, noNaN: true }),
    maxRetries: fc.integer({ min: 0, max: 50 }),
  })
  .map(({ extraMaxMs, ...p }): BackoffPolicy => ({ ...p, maxDelayMs: p.initialDelayMs + extraMaxMs }));

const defaults: BackoffPolicy = { initialDelayMs: 1000, maxDelayMs: 60_000, factor: 2, maxRetries: 10 };

describe('backoff schedule (pure)', () => {
  it('follows the original defaults: 1 s, 2 s, 4 s … capped at 60 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((a) => backoffCeilingMs(defaults, a))).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
  });

  it('draws every delay between 0 and min(max, initial × factor^attempt)', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 2000 }), fc.double({ min: 0, max: 0.999_999, noNaN: true }), (policy, attempt, r) => {
        const delay = jitteredDelayMs(policy, attempt, () => r);
        const growth = policy.factor ** attempt;
        const ceiling = policy.initialDelayMs === 0 ? 0 : Math.min(policy.maxDelayMs, Number.isFinite(growth) ? policy.initialDelayMs * growth : Infinity);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(delay < ceiling || ceiling === 0).toBe(true);
      }),
    );
  });

  it('never lowers the ceiling from one attempt to the next', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 2000 }), (policy, attempt) => {
        expect(backoffCeilingMs(policy, attempt + 1)).toBeGreaterThanOrEqual(backoffCeilingMs(policy, attempt));
      }),
    );
  });

  it('jitters: delays for one attempt spread over the whole range, not a fixed value', () => {
    const draws = Array.from({ length: 2000 }, () => jitteredDelayMs(defaults, 3));
    const ceiling = backoffCeilingMs(defaults, 3);
    // Uniform on [0, 8000): every quarter of the range is hit, the mean is near the middle.
    for (let q = 0; q < 4; q++) expect(draws.some((d) => d >= (q * ceiling) / 4 && d < ((q + 1) * ceiling) / 4)).toBe(true);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(mean).toBeGreaterThan(ceiling * 0.4);
    expect(mean).toBeLessThan(ceiling * 0.6);
  });

  it('restarts up to the retry budget, then gives up', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 1, max: 100 }), (policy, failures) => {
        const d = decideRestart(policy, failures, () => 0.5);
        if (failures <= policy.maxRetries) {
          expect(d).toMatchObject({ action: 'restart', attempt: failures - 1, ceilingMs: backoffCeilingMs(policy, failures - 1) });
        } else {
          expect(d).toEqual({ action: 'give-up', failuresInARow: failures });
        }
      }),
    );
  });

  it('with SOCKETIO_MAX_RETRIES=0 never restarts', () => {
    expect(decideRestart({ ...defaults, maxRetries: 0 }, 1).action).toBe('give-up');
  });

  it('forgives failures once the server has been healthy for the stable period', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 1, max: 600_000 }), fc.integer({ min: 0, max: 1_000_000 }), (policy, intervalMs, healthyForMs) => {
        const t0 = 1_000_000;
        expect(isStable(t0, t0 + healthyForMs, policy, intervalMs)).toBe(healthyForMs >= stableAfterMs(policy, intervalMs));
        expect(stableAfterMs(policy, intervalMs)).toBeGreaterThanOrEqual(intervalMs);
      }),
    );
  });
});
