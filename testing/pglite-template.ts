import { execFile } from 'node:child_process';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openPgliteDriver } from '../reference-server/store/pglite-driver.ts';
import { SqlStore } from '../reference-server/store/sql-store.ts';

/**
 * A migrated embedded store, made once per test run (PGlite's first start costs seconds), that
 * each test server copies into its own DATA_DIR: every server still runs on its own files.
 */
export async function createPgliteTemplate(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sockproof-template-'));
  const store = new SqlStore('pglite', await openPgliteDriver(dir));
  await store.migrate();
  await store.close();
  return dir;
}

export const TEMPLATE_ENV = 'SOCKPROOF_TEST_PGLITE_TEMPLATE';

/**
 * Copies the run's template into a fresh DATA_DIR, when one was made. `cp -R` rather than
 * fs.cp: Node 20's fs.cp walks the thousand files of a data dir in JS, 7x slower, on every start.
 */
export async function seedDataDir(dataDir: string): Promise<void> {
  const template = process.env[TEMPLATE_ENV];
  if (!template) return;
  await mkdir(dataDir, { recursive: true });
  await promisify(execFile)('cp', ['-R', join(template, 'pglite'), join(dataDir, 'pglite')]);
}
