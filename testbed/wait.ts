import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` every `everyMs` until it returns a truthy value, which it resolves with; throws with `what`
 * (and the probe's last error) once `timeoutMs` has passed. For sleeping, use node:timers/promises.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T> | T, timeoutMs: number, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${String(last)})` : ''}`);
    await sleep(everyMs);
  }
}
