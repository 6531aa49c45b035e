// The launcher runs dist/ only while it matches the sources, and the sources always work.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { distIsFresh, fingerprint } from '../dist-manifest.mjs';

const BIN = new URL('../sockproof.mjs', import.meta.url).pathname;

describe('distIsFresh', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A tree with two sources and a manifest taken of them, as bin/build.mjs writes it. */
  function built() {
    const root = mkdtempSync(join(tmpdir(), 'sockproof-dist-'));
    dirs.push(root);
    mkdirSync(join(root, 'cli'));
    writeFileSync(join(root, 'cli/main.ts'), 'export {};\n');
    writeFileSync(join(root, 'cli/serve.ts'), 'export const a = 1;\n');
    const manifest = join(root, 'manifest.json');
    const inputs = Object.fromEntries(['cli/main.ts', 'cli/serve.ts'].map((f) => [f, fingerprint(join(root, f))]));
    writeFileSync(manifest, JSON.stringify({ entry: 'cli/main.ts', inputs }));
    return { root, manifest };
  }

  it('is fresh while every source is as it was built', () => {
    const { root, manifest } = built();
    expect(distIsFresh(root, manifest)).toBe(true);
  });

  it('is stale once a source is edited, touched or removed, or without a manifest', () => {
    let t = built();
    appendFileSync(join(t.root, 'cli/serve.ts'), '// edited\n');
    expect(distIsFresh(t.root, t.manifest)).toBe(false);

    t = built();
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(t.root, 'cli/main.ts'), later, later);
    expect(distIsFresh(t.root, t.manifest)).toBe(false);

    t = built();
    rmSync(join(t.root, 'cli/serve.ts'));
    expect(distIsFresh(t.root, t.manifest)).toBe(false);

    t = built();
    expect(distIsFresh(t.root, join(t.root, 'no-manifest.json'))).toBe(false);
    writeFileSync(t.manifest, '{"inputs":{}}');
    expect(distIsFresh(t.root, t.manifest)).toBe(false);
    writeFileSync(t.manifest, 'not json');
    expect(distIsFresh(t.root, t.manifest)).toBe(false);
  });
});

describe('bin/sockproof.mjs', () => {
  it('runs from dist/ after the test run built it, and from the sources with SOCKPROOF_FROM_SOURCE=1', () => {
    expect(distIsFresh()).toBe(true); // testing/global-setup.ts built it from these sources
    for (const env of [{}, { SOCKPROOF_FROM_SOURCE: '1' }]) {
      const r = spawnSync(process.execPath, [BIN, 'token', '--sub', 'alice', '--role', 'admin'], {
        env: { PATH: process.env.PATH, JWT_SECRET: 'x'.repeat(32), ...env },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.stderr, JSON.stringify(env)).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    }
  });
});
