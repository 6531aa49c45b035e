import { buildDist } from '../bin/build.mjs';

/**
 * vitest global setup: dist/ compiled from the sources under test (the processes the suites start
 * run it through bin/sockproof.mjs). The embedded store (SQLite) creates its schema in milliseconds,
 * so every test server starts on an empty DATA_DIR of its own.
 */
export default async function setup(): Promise<void> {
  await buildDist({ ifStale: true });
}
