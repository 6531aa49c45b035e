import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Check } from '../check.ts';
import { ALL_CHECKS, GROUP_FOLDER } from '../registry.ts';

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
    // C01-C23 are the original design's, all present; later C ids (C24…, issue 11) come after them.
    expect(ids.filter((id) => /^C\d\d$/.test(id) && Number(id.slice(1)) <= 23).sort()).toEqual(Array.from({ length: 23 }, (_, i) => `C${String(i + 1).padStart(2, '0')}`));
  });
  it('registers every check file, each in the folder of its group', async () => {
    const checksDir = new URL('../checks/', import.meta.url);
    const found: Array<{ folder: string; check: Check }> = [];
    for (const folder of readdirSync(checksDir, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      for (const file of readdirSync(new URL(`${folder.name}/`, checksDir)).filter((f) => /^[a-z]\d\d-.*\.ts$/.test(f))) {
        const check = ((await import(new URL(`${folder.name}/${file}`, checksDir).href)) as { default: Check }).default;
        found.push({ folder: folder.name, check });
      }
    }
    expect(found.map((f) => f.check.id).sort()).toEqual(ALL_CHECKS.map((c) => c.id).sort());
    expect(found.filter((f) => GROUP_FOLDER[f.check.group] !== f.folder).map((f) => `${f.check.id} (${f.check.group}) in ${f.folder}/`)).toEqual([]);
  });
  it('runs destructive checks after all the others', () => {
    const firstDestructive = ALL_CHECKS.findIndex((c) => c.destructive);
    expect(firstDestructive).toBeGreaterThan(0);
    expect(ALL_CHECKS.slice(firstDestructive).every((c) => c.destructive)).toBe(true);
  });
});
