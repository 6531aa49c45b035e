import { DEPENDENCY_SCENARIOS, type ScenarioName } from './scenario.ts';

/** Users per node of a dependency scenario's stream: at least two, so that each node has a receiver besides every author. */
export function streamUsersPerNode(clients: number, nodes: number): number {
  return Math.max(2, Math.ceil(clients / nodes));
}

/**
 * How many distinct users one scenario of a run asks its token source for: its streaming clients (spread over
 * the deployment's nodes, at least two per node, for a dependency scenario, plus its send probe) and its history
 * reader. Scenarios run one after another, so a run needs the most any one of them does: what a source of
 * supplied tokens must hold (testbed/targets/token-source.ts hands them out in turn). Pure.
 */
export function usersPerScenario(name: ScenarioName, clients: number, deploymentNodes: number): number {
  const reader = 1;
  if ((DEPENDENCY_SCENARIOS as readonly string[]).includes(name)) return streamUsersPerNode(clients, deploymentNodes) * deploymentNodes + 1 + reader;
  return clients + reader;
}

/** The run's need: the largest scenario's, and which scenario that is. */
export function usersNeeded(names: readonly ScenarioName[], clients: number, deploymentNodes: number): { users: number; scenario: ScenarioName | undefined } {
  let most: { users: number; scenario: ScenarioName | undefined } = { users: 0, scenario: undefined };
  for (const name of names) {
    const users = usersPerScenario(name, clients, deploymentNodes);
    if (users > most.users) most = { users, scenario: name };
  }
  return most;
}
