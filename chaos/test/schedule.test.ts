import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FaultKind } from '../../testbed/history/history.ts';
import { DEPENDENCY_FAULT_KINDS, generateSchedule, NemesisSchedule, NODE_FAULTS, randomSchedule } from '../nemesis/schedule.ts';

const args = fc.record({
  seed: fc.nat(),
  durationMs: fc.integer({ min: 1, max: 600_000 }),
  faults: fc.uniqueArray(fc.constantFrom(...FaultKind.options), { minLength: 1 }),
  gap: fc.tuple(fc.integer({ min: 1, max: 5_000 }), fc.nat(5_000)),
  hold: fc.tuple(fc.integer({ min: 1, max: 5_000 }), fc.nat(5_000)),
  maxKills: fc.nat(1_000),
  nodes: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  weights: fc.option(fc.dictionary(fc.constantFrom(...FaultKind.options), fc.integer({ min: 1, max: 10 })), { nil: undefined }),
});

describe('nemesis schedule generator', () => {
  it('is replayable, uses only the allowed faults, never overlaps, caps kills, and is healed within the duration', () => {
    fc.assert(
      fc.property(args, (a) => {
        const bounds = {
          gapMs: { min: a.gap[0], max: a.gap[0] + a.gap[1] },
          holdMs: { min: a.hold[0], max: a.hold[0] + a.hold[1] },
          maxKills: a.maxKills,
          ...(a.nodes === undefined ? {} : { nodes: a.nodes }),
          ...(a.weights === undefined ? {} : { weights: a.weights }),
        };
        const s = generateSchedule(a.seed, a.durationMs, a.faults, bounds);
        expect(generateSchedule(a.seed, a.durationMs, a.faults, bounds)).toEqual(s);
        expect(NemesisSchedule.safeParse(s).success).toBe(true);
        expect(s.windows.filter((w) => w.fault === 'kill').length).toBeLessThanOrEqual(a.maxKills);
        for (const [i, w] of s.windows.entries()) {
          expect(a.faults).toContain(w.fault);
          expect(w.healMs).toBeLessThanOrEqual(a.durationMs);
          if (w.fault === 'kill') expect(w.healMs).toBe(w.startMs);
          if (w.fault !== 'kill') expect(w.healMs - w.startMs).toBeGreaterThanOrEqual(bounds.holdMs.min);
          if (i > 0) expect(w.startMs - s.windows[i - 1]!.healMs).toBeGreaterThanOrEqual(bounds.gapMs.min);
          // A kill or pause on a deployment names the node it strikes, one of its nodes; nothing else names one.
          if ((a.nodes ?? 1) > 1 && NODE_FAULTS.includes(w.fault)) expect(w.node).toBeLessThan(a.nodes!);
          else expect(w.node).toBeUndefined();
        }
      }),
    );
  });

  it('reaches 1,000 kills in a long kill-only schedule', () => {
    const s = generateSchedule(1, 600_000, ['kill'], { gapMs: { min: 100, max: 500 }, holdMs: { min: 1, max: 1 }, maxKills: 1_000 });
    expect(s.windows).toHaveLength(1_000);
  });

  it('on the two-node deployment a random schedule strikes both nodes and every dependency fault, and 600 s hold over 100 kills and 20 Redis and database faults', () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const s = randomSchedule(seed, 600_000, { maxKills: 1_000, holdMaxMs: 2_000, deploymentNodes: 2 });
        expect(randomSchedule(seed, 600_000, { maxKills: 1_000, holdMaxMs: 2_000, deploymentNodes: 2 })).toEqual(s);
        const count = (f: string) => s.windows.filter((w) => w.fault === f).length;
        expect(count('kill')).toBeGreaterThanOrEqual(100);
        expect(DEPENDENCY_FAULT_KINDS.reduce((n, f) => n + count(f), 0)).toBeGreaterThanOrEqual(20);
        for (const f of DEPENDENCY_FAULT_KINDS) expect(count(f), f).toBeGreaterThan(0);
        expect(new Set(s.windows.filter((w) => w.fault === 'kill').map((w) => w.node))).toEqual(new Set([0, 1]));
        expect(s.windows.some((w) => w.fault === 'partition' || w.fault === 'latency')).toBe(false);
      }),
      { numRuns: 20 },
    );
  });

  it('a schedule file with overlapping windows or a heal after the end is refused', () => {
    expect(NemesisSchedule.safeParse({ durationMs: 10_000, windows: [{ fault: 'pause', startMs: 0, healMs: 5_000 }, { fault: 'partition', startMs: 4_000, healMs: 6_000 }] }).success).toBe(false);
    expect(NemesisSchedule.safeParse({ durationMs: 1_000, windows: [{ fault: 'pause', startMs: 0, healMs: 5_000 }] }).success).toBe(false);
    expect(NemesisSchedule.safeParse({ durationMs: 10_000, windows: [{ fault: 'kill', startMs: 10, healMs: 10 }] }).success).toBe(true);
  });
});
