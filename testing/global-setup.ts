import { rm } from 'node:fs/promises';
import { createPgliteTemplate, TEMPLATE_ENV } from './pglite-template.ts';

/** vitest global setup: one migrated PGlite template for every suite of the run. */
export default async function setup(): Promise<() => Promise<void>> {
  const dir = await createPgliteTemplate();
  process.env[TEMPLATE_ENV] = dir;
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
