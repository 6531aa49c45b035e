import { dependencyScenario, type DependencyScenario } from './dependency-fault.ts';

/** Added latency on every reply of a dependency, under DEPENDENCY_TIMEOUT_MS (1 000 ms locally): slow, not down. */
const REDIS_LATENCY_MS = 300;
const DB_LATENCY_MS = 200;

export const LATENCY_SCENARIOS = {
  'redis-latency': {
    title: `With ${REDIS_LATENCY_MS} ms more on every Redis reply no acked message is lost, duplicated or left undelivered on any node`,
    rules: ['DEG-2', 'NODE-1', 'DUR-2'],
    ...dependencyScenario({
      describe: `redis replies delayed ${REDIS_LATENCY_MS} ms (latency toxic)`,
      apply: async (deps) => void (await deps.addToxic('redis', { type: 'latency', attributes: { latency: REDIS_LATENCY_MS, jitter: 0 } })),
      expect: {},
    }),
  },
  'db-latency': {
    title: `With ${DB_LATENCY_MS} ms more on every database reply every acked message is stored exactly once and delivered on every node`,
    rules: ['DEG-3', 'DUR-2', 'NODE-1'],
    ...dependencyScenario({
      describe: `postgres replies delayed ${DB_LATENCY_MS} ms (latency toxic)`,
      apply: async (deps) => void (await deps.addToxic('postgres', { type: 'latency', attributes: { latency: DB_LATENCY_MS, jitter: 0 } })),
      expect: {},
    }),
  },
} satisfies Record<string, DependencyScenario>;
