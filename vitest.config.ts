import { availableParallelism } from 'node:os';
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
    isolate: false,
    // Two files at once even on 2 cores: most suites wait on the processes they start.
    poolOptions: { forks: { minForks: 1, maxForks: Math.min(4, Math.max(2, availableParallelism())) } },
    globalSetup: ['testing/global-setup.ts'],
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: process.env.CI ? { json: '.ci/vitest-results.json' } : undefined,
  },
});
