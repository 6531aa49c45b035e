// What dist/ was compiled from: each source file with its size and mtime when it was built.
// The launcher runs dist/ only while every one of them is unchanged (as make decides), so an
// edited checkout never runs stale code; it falls back to the sources through tsx.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST_DIR = join(REPO_ROOT, 'dist');
export const MANIFEST_FILE = join(DIST_DIR, 'manifest.json');

/** [size, mtimeMs] of a file, or undefined when it is gone. */
export function fingerprint(path) {
  try {
    const s = statSync(path);
    return [s.size, s.mtimeMs];
  } catch {
    return undefined;
  }
}

/** True when a manifest exists and every source it names is as it was at build time. */
export function distIsFresh(root = REPO_ROOT, manifestFile = MANIFEST_FILE) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch {
    return false;
  }
  const inputs = Object.entries(manifest.inputs ?? {});
  if (inputs.length === 0) return false;
  return inputs.every(([file, was]) => {
    const now = fingerprint(join(root, file));
    return now !== undefined && now[0] === was[0] && now[1] === was[1];
  });
}
