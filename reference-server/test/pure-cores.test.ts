import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FailureWindow } from '../resilience/failure-window.ts';
import { Sessions } from '../state/sessions.ts';
import { timeOrderedId } from '../store/time-ordered-id.ts';

describe('FailureWindow (BRK-2)', () => {
  it('counts exactly the failures newer than the window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.array(fc.integer({ min: 0, max: 1_000 }), { maxLength: 60 }), (windowMs, gaps) => {
        const w = new FailureWindow(windowMs);
        const times: number[] = [];
        let t = 0;
        for (const gap of gaps) {
          t += gap;
          times.push(t);
          const counted = w.record(t);
          if (counted !== times.filter((x) => x > t - windowMs).length) return false;
        }
        return true;
      }),
    );
  });
});

describe('Sessions (SES-2)', () => {
  it('is empty again after any interleaving of adds and removes of the same sockets', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 9 }))), (pairs) => {
        const s = new Sessions();
        for (const [u, k] of pairs) s.add(`u${u}`, `s${k}-${u}`);
        for (const [u, k] of pairs) s.remove(`u${u}`, `s${k}-${u}`);
        return s.userCount === 0 && s.socketCount === 0;
      }),
    );
  });

  it('reports first and last socket of a user', () => {
    const s = new Sessions();
    expect(s.add('a', '1')).toBe(true);
    expect(s.add('a', '2')).toBe(false);
    expect(s.remove('a', '1')).toBe(false);
    expect(s.remove('a', '2')).toBe(true);
    expect(s.sweep(() => false)).toBe(0);
  });
});

describe('timeOrderedId (message ids of both stores)', () => {
  it('is a version-7 UUID PostgreSQL accepts, carrying its millisecond, ordered by time and never repeated', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 48 - 1 }), { minLength: 1, maxLength: 300 }), (times) => {
        const ids = times.map((ms) => timeOrderedId(ms));
        for (const [i, id] of ids.entries()) {
          expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
          expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(times[i]);
        }
        // Earlier milliseconds sort first as text: the index they go into is appended to, not scattered.
        for (let i = 1; i < ids.length; i++) if (times[i - 1]! < times[i]!) expect(ids[i - 1]! < ids[i]!).toBe(true);
        expect(new Set(ids).size).toBe(ids.length);
      }),
    );
  });
});
