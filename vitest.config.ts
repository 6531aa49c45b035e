import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/test/**/*.test.ts'],
    exclude: ['node_modules/**'],
    // Suites start real servers, Redis and PostgreSQL: give them room, but never forever.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    pool: 'forks',
    // Most suites wait on the processes they start (servers, Redis, PostgreSQL), so three files at
    // once overlap those waits on 2 cores; vitest's default there would be one.
    poolOptions: { forks: { minForks: 1, maxForks: 3 } },
    globalSetup: ['testing/global-setup.ts'],
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: process.env.CI ? { json: '.ci/vitest-results.json' } : undefined,
  },
});
