// The pure cores behind DEG-2, DEG-4 and DEG-6: the bounded outbox, the look-up cache, the backoff.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reconnectDelay } from '../../cluster/reconnect-delay.ts';
import { Outbox } from '../../cluster/outbox.ts';
import { LookupCache } from '../../resilience/lookup-cache.ts';

describe('reconnectDelay (DEG-6)', () => {
  const policy = { minMs: 1_000, maxMs: 30_000, jitter: 0.2 };
  it('doubles from 1 s, never exceeds 30 s, adds at most 20 % jitter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const base = Math.min(30_000, 1_000 * 2 ** Math.min(attempt - 1, 40));
        const delay = reconnectDelay(attempt, policy, () => r);
        return delay >= base && delay <= Math.min(30_000, Math.round(base * 1.2));
      }),
    );
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => reconnectDelay(n, policy, () => 0))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });
});

describe('Outbox (DEG-2)', () => {
  it('keeps at most N per channel, drops the oldest of that channel, releases in order', () => {
    const box = new Outbox<string>(2);
    for (const [key, item] of [['a', 'a1'], ['b', 'b1'], ['a', 'a2'], ['a', 'a3'], ['b', 'b2']] as const) box.push(key, item);
    expect(box.dropped).toBe(1);
    const out: string[] = [];
    for (let x = box.shift(); x; x = box.shift()) out.push(x);
    expect(out).toEqual(['b1', 'a2', 'a3', 'b2']);
  });

  it('never holds more than N of a channel, whatever the sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 200 }), fc.integer({ min: 1, max: 10 }), (keys, max) => {
        const box = new Outbox<number>(max);
        keys.forEach((k, i) => box.push(k, i));
        const counts = new Map<string, number>();
        for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
        const kept = [...counts.values()].reduce((s, n) => s + Math.min(n, max), 0);
        return box.size === kept && box.dropped === keys.length - kept;
      }),
    );
  });
});

describe('LookupCache (DEG-4)', () => {
  it('serves answers younger than the TTL and keeps at most max entries', () => {
    const cache = new LookupCache<boolean>(2, 1_000);
    cache.set('x', true, 0);
    expect(cache.get('x', 1_000)).toEqual({ value: true });
    expect(cache.get('x', 1_001)).toBeUndefined();
    cache.set('a', true, 0);
    cache.set('b', false, 0);
    cache.set('c', true, 0);
    expect(cache.size).toBe(2);
    expect(cache.get('a', 0)).toBeUndefined();
    expect(cache.get('c', 0)).toEqual({ value: true });
  });
});
