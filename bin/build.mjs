#!/usr/bin/env node
// Compiles the TypeScript sources into dist/: one ESM bundle, split so that each subcommand still
// loads only its own code. Runs on `npm install` (prepare) and before the test suites. Loading it
// costs a third of the CPU of compiling the sources through tsx at every start, which a
// supervisor restarting the server and a test run starting hundreds of processes both feel.
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { DIST_DIR, MANIFEST_FILE, REPO_ROOT, distIsFresh, fingerprint } from './dist-manifest.mjs';

const ENTRY = 'cli/main.ts';

export async function buildDist({ ifStale = false } = {}) {
  if (ifStale && distIsFresh()) return { built: false };
  // No manifest while the files change: a launcher starting meanwhile runs the sources.
  rmSync(MANIFEST_FILE, { force: true });
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: { sockproof: ENTRY },
    outdir: DIST_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const sources = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/'));
  assertRootRelativeUrls(sources);
  const outputs = new Set(Object.keys(result.metafile.outputs).map((f) => relative(DIST_DIR, join(REPO_ROOT, f))));
  for (const f of readdirSync(DIST_DIR)) if (!outputs.has(f) && f !== 'manifest.json') rmSync(join(DIST_DIR, f), { force: true });
  const inputs = Object.fromEntries(sources.map((f) => [f, fingerprint(join(REPO_ROOT, f))]));
  writeFileSync(MANIFEST_FILE, `${JSON.stringify({ entry: ENTRY, inputs })}\n`);
  return { built: true, files: sources.length };
}

/**
 * Chunks land one level below the repository root, as every source folder is: a relative URL on
 * import.meta.url resolves the same from both only in a file of a top-level folder. A deeper file
 * using it would work from source and break in dist/, so the build refuses it.
 */
function assertRootRelativeUrls(sources) {
  const deeper = sources.filter((f) => f.split('/').length > 2 && readFileSync(join(REPO_ROOT, f), 'utf8').includes('import.meta.url'));
  if (deeper.length > 0) throw new Error(`import.meta.url in ${deeper.join(', ')}: only files directly in a top-level folder may resolve paths from it (dist/ is one level deep)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const { files } = await buildDist();
    process.stdout.write(`sockproof: built dist/ from ${files} source files\n`);
  } catch (err) {
    process.stderr.write(`sockproof: build failed: ${err.message}\n`);
    process.exit(1);
  }
}
