import { dependencyScenario, type DependencyScenario } from './dependency-fault.ts';

/** A dependency unreachable for the window: its proxy disabled (listener closed, live connections cut), then enabled. */
export const OUTAGE_SCENARIOS = {
  'redis-down': {
    title: 'With Redis down each node serves its own clients; cross-node sends are held and flushed in order after the heal',
    rules: ['DEG-1', 'DEG-2', 'DEG-5', 'DEG-6', 'HLTH-2', 'NODE-1'],
    ...dependencyScenario({ describe: 'redis cut (proxy disabled)', apply: (deps) => deps.cut('redis'), expect: { downCheck: 'redis', keepsServing: true } }),
  },
  'db-down': {
    title: 'With the database down nothing unsaved is acked: sends are UNAVAILABLE with retryAfterMs, the store breaker opens and closes again',
    rules: ['DEG-3', 'DEG-5', 'BRK-2', 'BRK-4', 'HLTH-2', 'DUR-2'],
    ...dependencyScenario({ describe: 'postgres cut (proxy disabled)', apply: (deps) => deps.cut('postgres'), expect: { downCheck: 'store', refusesSends: true } }),
  },
  'db-down-manual-recovery': {
    title: 'With the database back, POST /admin/socket/recovery on each node closes every breaker at once: the next send is acked before the breaker would half-open by itself, nothing acked lost',
    rules: ['BRK-5', 'BRK-2', 'DEG-3', 'HLTH-2', 'DUR-2'],
    ...dependencyScenario({
      describe: 'postgres cut (proxy disabled), healed while the store breakers are open, then recovered by the operator',
      apply: (deps) => deps.cut('postgres'),
      expect: { downCheck: 'store', refusesSends: true, operatorRecovery: true },
    }),
  },
} satisfies Record<string, DependencyScenario>;
