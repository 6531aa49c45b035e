import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../registry.ts';

const SPEC = readFileSync(new URL('../../SPEC.md', import.meta.url), 'utf8');
const RULES = [...SPEC.matchAll(/^- \*\*([A-Z]+-\d+)\*\* ([^:]*)/gm)].map((m) => ({ id: m[1]!, must: /\bMUST\b/.test(m[2]!) }));

describe('check registry', () => {
  it('covers every MUST rule of SPEC.md with at least one check', () => {
    const covered = new Set(ALL_CHECKS.flatMap((c) => c.rules));
    const missing = RULES.filter((r) => r.must && !covered.has(r.id)).map((r) => r.id);
    expect(RULES.length).toBeGreaterThan(60);
    expect(missing).toEqual([]);
  });
  it('names only rules that exist, with unique stable ids', () => {
    const known = new Set(RULES.map((r) => r.id));
    expect(ALL_CHECKS.flatMap((c) => c.rules).filter((r) => !known.has(r))).toEqual([]);
    const ids = ALL_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    // C01-C23 are the original crash-safe report's, all present; later C ids (C24...) are new checks.
    expect(ids.filter((id) => /^C\d\d$/.test(id) && Number(id.slice(1)) <= 23).sort()).toEqual(Array.from({ length: 23 }, (_, i) => `C${String(i + 1).padStart(2, '0')}`));
  });
});
