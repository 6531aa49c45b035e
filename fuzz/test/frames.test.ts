import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeFrame, FRAME_KINDS, framesFrom } from '../frames.ts';

const take = (next: () => unknown, n: number) => Array.from({ length: n }, next);

describe('fuzz frames (pure)', () => {
  it('the same seed gives the same frames, another seed other frames', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
        expect(take(framesFrom(seed, 'c'), 50)).toEqual(take(framesFrom(seed, 'c'), 50));
        expect(take(framesFrom(seed, 'c'), 50)).not.toEqual(take(framesFrom(seed + 1, 'c'), 50));
      }),
      { numRuns: 50 },
    );
  });

  it('every kind of frame comes up within a few hundred frames, text and binary alike', () => {
    const frames = take(framesFrom(7, 'general'), 400) as Array<{ kind: string; data: unknown }>;
    expect(new Set(frames.map((f) => f.kind))).toEqual(new Set(FRAME_KINDS));
    expect(frames.some((f) => f.data instanceof Uint8Array)).toBe(true);
    // Poisoned strings carry a control character or a lone surrogate inside an otherwise valid event.
    const poisoned = frames.filter((f) => f.kind === 'poisoned-string').map((f) => f.data as string);
    expect(poisoned.length).toBeGreaterThan(10);
    for (const p of poisoned) expect(JSON.stringify(JSON.parse(p.slice(p.indexOf('[')))).match(/\\u0000|\\u0001|\\ud8|\\udc/i)).not.toBeNull();
  });

  it('describes any frame in bounded, printable text', () => {
    for (const f of take(framesFrom(3, 'c'), 300) as Parameters<typeof describeFrame>[0][]) {
      const text = describeFrame(f, 100);
      expect(text.length).toBeLessThan(160);
      expect(text).toMatch(/^[a-z-]+: /);
    }
  });
});
