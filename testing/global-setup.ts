import { rm } from 'node:fs/promises';
import { buildDist } from '../bin/build.mjs';
import { createPgliteTemplate, TEMPLATE_ENV } from './pglite-template.ts';

/**
 * vitest global setup: dist/ compiled from the sources under test (the processes the suites start
 * run it through bin/sockproof.mjs), and one migrated PGlite template for every suite of the run.
 */
export default async function setup(): Promise<() => Promise<void>> {
  await buildDist({ ifStale: true });
  const dir = await createPgliteTemplate();
  process.env[TEMPLATE_ENV] = dir;
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
