import { dependencyScenario, type DependencyScenario } from './dependency-fault.ts';

/**
 * Connections to a dependency that break in the ways Toxiproxy's toxics break them: reset, cut after some
 * bytes, stalled, or sliced into small delayed pieces. The nodes must reconnect by themselves, never ack what
 * they did not store, and deliver everything on every node once healed.
 */
const COMMON = { rules: ['DEG-3', 'DEG-5', 'BRK-2', 'DUR-2', 'NODE-1'] };

export const BROKEN_CONNECTION_SCENARIOS = {
  'db-reset-peer': {
    ...COMMON,
    title: 'Database connections reset (RST) 100 ms after they send: nothing unsaved acked, recovered on its own after the heal',
    ...dependencyScenario({
      describe: 'postgres connections reset after 100 ms (reset_peer toxic)',
      apply: async (deps) => void (await deps.addToxic('postgres', { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 100 } })),
      expect: {},
    }),
  },
  'db-limit-data': {
    ...COMMON,
    title: 'Database connections closed after 2 000 bytes of replies: nothing unsaved acked, recovered on its own after the heal',
    ...dependencyScenario({
      describe: 'postgres connections closed after 2000 bytes (limit_data toxic)',
      apply: async (deps) => void (await deps.addToxic('postgres', { type: 'limit_data', attributes: { bytes: 2_000 } })),
      expect: {},
    }),
  },
  'db-timeout': {
    ...COMMON,
    title: 'Database connections stall (no data, closed after 2 s): sends answered within the dependency timeout, nothing unsaved acked',
    ...dependencyScenario({
      describe: 'postgres connections stalled, closed after 2000 ms (timeout toxic)',
      apply: async (deps) => void (await deps.addToxic('postgres', { type: 'timeout', attributes: { timeout: 2_000 } })),
      expect: {},
    }),
  },
  'redis-slicer': {
    ...COMMON,
    rules: ['DEG-2', 'NODE-1', 'DUR-2'],
    title: 'Redis replies cut into 1-byte-to-64-byte pieces 1 ms apart: every acked message delivered on every node, in order',
    ...dependencyScenario({
      describe: 'redis replies sliced (~32 bytes, 1 ms apart; slicer toxic)',
      apply: async (deps) => void (await deps.addToxic('redis', { type: 'slicer', attributes: { average_size: 32, size_variation: 31, delay: 1_000 } })),
      expect: {},
    }),
  },
} satisfies Record<string, DependencyScenario>;
