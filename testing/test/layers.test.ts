import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The folders are layers, and each imports only from those below it (README: Layout). Test files and
 * testing/ (support for this repository's own suites) may reach across; product code may not.
 */
const REPO = fileURLToPath(new URL('../..', import.meta.url));

const BELOW: Record<string, readonly string[]> = {
  spec: [],
  reports: ['spec'],
  testbed: ['spec'],
  conformance: ['spec', 'reports', 'testbed'],
  chaos: ['spec', 'reports', 'testbed'],
  load: ['spec', 'reports', 'testbed'],
  fuzz: ['spec', 'reports', 'testbed'],
  'reference-server': ['spec'],
  supervisor: ['spec'],
  cli: ['spec', 'reports', 'testbed', 'conformance', 'chaos', 'load', 'fuzz', 'reference-server', 'supervisor'],
  bin: ['cli', 'dist'],
};

/** The layer a repository path belongs to: its top-level folder, with spec/conformance a layer of its own. */
function layerOf(path: string): string {
  const [top, second] = path.split('/');
  return top === 'spec' && second === 'conformance' ? 'conformance' : top!;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(REPO, dir), { withFileTypes: true }).flatMap((e) => {
    const path = posix.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'test' || e.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|mjs)$/.test(e.name) && !e.name.endsWith('.d.mts') ? [path] : [];
  });
}

function relativeImports(file: string): string[] {
  const text = readFileSync(join(REPO, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) =>
    relative(REPO, join(REPO, dirname(file), m[1]!)).split('\\').join('/'),
  );
}

describe('layers', () => {
  const files = Object.keys(BELOW).filter((l) => l !== 'conformance').flatMap(sourceFiles);

  it('finds the product code it judges', () => {
    expect(files.length).toBeGreaterThan(150);
    for (const layer of Object.keys(BELOW).filter((l) => l !== 'bin')) expect(files.some((f) => layerOf(f) === layer), layer).toBe(true);
  });

  it('no product file imports from a layer at or above its own', () => {
    const upward = files.flatMap((file) => {
      const from = layerOf(file);
      return relativeImports(file)
        .filter((target) => layerOf(target) !== from && !BELOW[from]!.includes(layerOf(target)))
        .map((target) => `${file} -> ${target}`);
    });
    expect(upward).toEqual([]);
  });

  it('the rule itself has no cycle: no two layers may import each other', () => {
    const pairs = Object.entries(BELOW).flatMap(([a, deps]) => deps.filter((b) => BELOW[b]?.includes(a)).map((b) => `${a} <-> ${b}`));
    expect(pairs).toEqual([]);
  });
});
