import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Check } from '../check.ts';
import { ALL_CHECKS, GROUP_FOLDER } from '../registry.ts';
import { FaultName } from '../../../reference-server/faults/catalogue.ts';

const SPEC = readFileSync(new URL('../../SPEC.md', import.meta.url), 'utf8');
const RULES = [...SPEC.matchAll(/^- \*\*([A-Z]+-\d+)\*\* ([^:]*)/gm)].map((m) => ({ id: m[1]!, must: /\bMUST\b/.test(m[2]!) }));

/** Every rule id of SPEC.md, sub-rules such as OPS-2a included. */
const ALL_RULE_IDS = [...SPEC.matchAll(/^- \*\*([A-Z]+-\d+[a-z]?)\*\*/gm)].map((m) => m[1]!);

/** The rows of README's "Rule clause → check → faulty build" table: rule ids, clause, check, faulty build. */
function clauseTable(): Array<{ rules: string[]; clause: string; check: string; fault: string }> {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('## Rule clause → check → faulty build');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return section
    .split('\n')
    .filter((line) => /^\| [A-Z]+-\d/.test(line))
    .map((line) => {
      const [rules, clause, check, fault] = line.split(' | ').map((cell) => cell.replace(/^\| |\s*\|$/g, ''));
      return { rules: rules!.split(',').map((r) => r.trim()), clause: clause!, check: check!, fault: fault! };
    });
}

/**
 * The tests that run faulty builds, each row naming its fault: the conformance rows, and the sibling
 * tests for faults a conformance check cannot reach on one node (chaos checkers, fuzzing, a real process).
 */
const FAULTY_BUILD_TESTS = [
  'spec/conformance/test/faulty-servers.test.ts',
  'spec/conformance/test/faulty-should.test.ts',
  'spec/conformance/test/faulty-clauses.test.ts',
  'spec/conformance/test/reference-deps.test.ts',
  'spec/conformance/test/supervisor.test.ts',
  'reference-server/test/robustness.test.ts',
  'reference-server/test/jwks-breaker.test.ts',
  'reference-server/test/input-errors.test.ts',
  'chaos/test/faulty-checkers.test.ts',
  'chaos/test/dependencies.test.ts',
  'chaos/test/nemesis-deployment.test.ts',
  'chaos/test/operator-recovery.test.ts',
  'fuzz/test/fuzz-cli.test.ts',
  'load/test/load-history.test.ts',
];
const ROOT = new URL('../../../', import.meta.url);

describe('check registry', () => {
  it('covers every MUST rule of SPEC.md with at least one check', () => {
    const covered = new Set(ALL_CHECKS.flatMap((c) => c.rules));
    const missing = RULES.filter((r) => r.must && !covered.has(r.id)).map((r) => r.id);
    expect(RULES.length).toBeGreaterThan(60);
    expect(missing).toEqual([]);
  });
  it('names only rules that exist, with unique stable ids', () => {
    const known = new Set(ALL_RULE_IDS); // sub-rules (OPS-2a: S18) included
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
  it('lists every rule of SPEC.md in the clause table, naming only registered checks and catalogued faults', () => {
    const rows = clauseTable();
    expect(rows.length).toBeGreaterThan(ALL_RULE_IDS.length);
    const listed = new Set(rows.flatMap((r) => r.rules));
    expect(ALL_RULE_IDS.filter((id) => !listed.has(id))).toEqual([]);
    expect([...listed].filter((id) => !ALL_RULE_IDS.includes(id))).toEqual([]);
    // V01 is made by the runner, not registered.
    const checks = new Set([...ALL_CHECKS.map((c) => c.id), 'V01']);
    const named = rows.flatMap((r) => [...r.check.matchAll(/\b[CPSV]\d\d\b/g)].map((m) => m[0]));
    expect(named.filter((id) => !checks.has(id))).toEqual([]);
    const faults = rows.flatMap((r) => [...r.fault.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]!));
    expect(faults.length).toBeGreaterThan(0);
    expect(faults.filter((f) => !FaultName.safeParse(f).success)).toEqual([]);
    // A row with a faulty build names the check that catches it; a row without one says so with a dash.
    expect(rows.filter((r) => r.fault !== '—' && !r.fault.startsWith('`')).map((r) => r.clause)).toEqual([]);
    expect(rows.filter((r) => r.fault.startsWith('`') && r.check.startsWith('—')).map((r) => r.clause)).toEqual([]);
  });
  it('names every fault of the catalogue in a row of a faulty-build test', () => {
    const tests = FAULTY_BUILD_TESTS.map((path) => readFileSync(new URL(path, ROOT), 'utf8')).join('\n');
    expect(FaultName.options.filter((f) => !tests.includes(`'${f}'`) && !tests.includes(`"${f}"`))).toEqual([]);
  });
  it('runs destructive checks after all the others', () => {
    const firstDestructive = ALL_CHECKS.findIndex((c) => c.destructive);
    expect(firstDestructive).toBeGreaterThan(0);
    expect(ALL_CHECKS.slice(firstDestructive).every((c) => c.destructive)).toBe(true);
  });
});
