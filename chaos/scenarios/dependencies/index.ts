import type { DependencyScenarioName } from '../../scenario.ts';
import { BROKEN_CONNECTION_SCENARIOS } from './broken-connections.ts';
import type { DependencyScenario } from './dependency-fault.ts';
import { LATENCY_SCENARIOS } from './latency.ts';
import { OUTAGE_SCENARIOS } from './outages.ts';

/** Every dependency scenario by name (chaos/scenario.ts DEPENDENCY_SCENARIOS), one file per family. */
export const DEPENDENCY_SCENARIO_TABLE: Record<DependencyScenarioName, DependencyScenario> = {
  ...OUTAGE_SCENARIOS,
  ...LATENCY_SCENARIOS,
  ...BROKEN_CONNECTION_SCENARIOS,
};
