import { describe, expect, it } from 'vitest';
import { runAgainstReference, verdicts } from './harness.ts';

describe('a target with its fixtures off (FIX-3)', () => {
  it('reports the checks that need fixtures as not run, with the reason, and fails none for it; the others run', async () => {
    const report = await runAgainstReference(['S03', 'C09', 'S11', 'P02', 'P03', 'P05'], { env: { ADMIN_FIXTURES: 'off' } });
    const byId = Object.fromEntries(report.results.map((r) => [r.id, r]));
    // P02, P03 and P05 make their round trips with events that need no fixture channel (typing:stop, channel:history).
    expect(verdicts(report)).toMatchObject({ V01: 'pass', S03: 'unimplemented', C09: 'unimplemented', S11: 'pass', P02: 'pass', P03: 'pass', P05: 'pass' });
    expect(byId.S03!.message).toMatch(/needs fixtures \(the target turned them off: features\.fixtures is false in GET \/spec, FIX-3\)/);
    expect(report.outcome).toBe('pass');
  }, 180_000);
});
