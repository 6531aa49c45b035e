// BRK-4 on the real breaker (opossum, real timers): every call refused by an open or half-open breaker
// says when to come back, and that time is never 0. CI once caught a send answered UNAVAILABLE with
// retryAfterMs 0: it arrived while the half-open trial call was still in flight.
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { DependencyBreaker } from '../resilience/breaker.ts';

const POLICY = { failureThreshold: 2, windowMs: 10_000, resetTimeoutMs: 300 };
const CALL_TIMEOUT_MS = 400;

async function refusal(breaker: DependencyBreaker, action: () => Promise<unknown>): Promise<AppError> {
  const err = await breaker.run(action).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('DependencyBreaker: retryAfterMs of a refused call (BRK-4)', () => {
  it('is the time until half-open while open, the call timeout while the trial is in flight, and never 0', async () => {
    const breaker = new DependencyBreaker('store', POLICY, CALL_TIMEOUT_MS, () => {});
    try {
      const down = () => Promise.reject(new Error('ECONNREFUSED'));
      for (let i = 0; i < POLICY.failureThreshold; i++) await refusal(breaker, down);
      expect(breaker.state).toBe('open');

      const open = await refusal(breaker, down);
      expect(open).toMatchObject({ code: 'UNAVAILABLE' });
      expect(open.retryAfterMs).toBeGreaterThan(0);
      expect(open.retryAfterMs).toBeLessThanOrEqual(POLICY.resetTimeoutMs);

      await new Promise((r) => setTimeout(r, POLICY.resetTimeoutMs + 100));
      expect(breaker.state).toBe('halfOpen');
      // The one trial call hangs (a stalled database); every other call meanwhile is refused at once.
      let release!: () => void;
      const trial = breaker.run(() => new Promise<void>((r) => { release = r; }));
      const during = await refusal(breaker, down);
      expect(during).toMatchObject({ code: 'UNAVAILABLE' });
      expect(during.retryAfterMs).toBe(CALL_TIMEOUT_MS);
      release();
      await trial;
      expect(breaker.state).toBe('closed');
    } finally {
      breaker.shutdown();
    }
  });
});
