import type { ProxiedDependencies } from '../../testbed/services/proxied-dependencies.ts';
import type { DependencyScenarioName } from '../scenario.ts';
import { DEPENDENCY_SCENARIO_TABLE } from '../scenarios/dependencies/index.ts';
import type { NemesisFault } from './executor.ts';
import { DEPENDENCY_FAULT_KINDS, type DependencyFaultKind } from './schedule.ts';

/**
 * The dependency faults a nemesis schedule can name, each the same fault its dependency scenario puts in place
 * (chaos/scenarios/dependencies/): Redis and the database cut, slowed, or their connections broken.
 */
export const DEPENDENCY_FAULT_SCENARIOS = {
  'redis-down': 'redis-down',
  'redis-latency': 'redis-latency',
  slicer: 'redis-slicer',
  'db-down': 'db-down',
  'db-latency': 'db-latency',
  'reset-peer': 'db-reset-peer',
  'limit-data': 'db-limit-data',
  timeout: 'db-timeout',
} as const satisfies Record<DependencyFaultKind, DependencyScenarioName>;

/** The dependency each fault strikes: a staging config may name the proxy of only one of them. */
const FAULT_STRIKES: Record<DependencyFaultKind, 'redis' | 'postgres'> = {
  'redis-down': 'redis',
  'redis-latency': 'redis',
  slicer: 'redis',
  'db-down': 'postgres',
  'db-latency': 'postgres',
  'reset-peer': 'postgres',
  'limit-data': 'postgres',
  timeout: 'postgres',
};

/**
 * Every dependency fault on `deps` whose proxy it has: started through the Toxiproxy API, healed by removing
 * every toxic and cut. A schedule's windows of the others are left out and counted (executor.ts).
 */
export function dependencyFaults(deps: ProxiedDependencies): NemesisFault[] {
  return DEPENDENCY_FAULT_KINDS.filter((name) => deps.names.includes(FAULT_STRIKES[name])).map((name) => {
    const fault = DEPENDENCY_SCENARIO_TABLE[DEPENDENCY_FAULT_SCENARIOS[name]].fault;
    return { name, start: () => fault.apply(deps), heal: () => deps.healAll() };
  });
}
