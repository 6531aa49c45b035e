import type { TargetChoice } from '../../testbed/targets/run-target.ts';
import { DEPENDENCY_SCENARIOS, type ScenarioName } from '../scenario.ts';
import { localDeploymentUnavailable, startLocalDeployment, type Deployment } from './local-deployment.ts';

/** The deployment a chaos run's dependency scenarios use, or why they are left out; notes for the output. */
export interface RunDeployment {
  open: Deployment | undefined;
  missing: string | undefined;
  notes: string[];
  close(): Promise<void>;
}

/**
 * Starts the local two-node deployment when a dependency scenario was chosen, the target is one the runner
 * starts (the reference server or --server-cmd, run on every node) and Redis and PostgreSQL can be started
 * here; also for the nemesis with `nemesisOnDeployment`. Otherwise the dependency scenarios are left out with the reason in the notes (they end `unimplemented`).
 */
export async function deploymentForRun(names: readonly ScenarioName[], choice: TargetChoice, say: (line: string) => void, nemesisOnDeployment = false): Promise<RunDeployment> {
  // The nemesis plays its schedule on the deployment when asked to (--on-deployment).
  const chosen = nemesisOnDeployment && names.includes('nemesis') ? ['nemesis'] : names.filter((n) => (DEPENDENCY_SCENARIOS as readonly string[]).includes(n));
  const none = (missing: string | undefined, notes: string[]): RunDeployment => ({ open: undefined, missing, notes, close: async () => {} });
  if (chosen.length === 0) return none(undefined, []);
  const leftOut = (why: string) => none(why, [`dependency scenarios left out (${chosen.join(', ')}): ${why}`]);
  if (choice.kind === 'url') return leftOut('they need a deployment the runner starts (no --target, or --server-cmd), on Redis and PostgreSQL behind its fault proxy');
  const unavailable = await localDeploymentUnavailable();
  if (unavailable) return leftOut(unavailable);
  say('starting the local deployment: Redis and PostgreSQL behind the fault proxy, 2 nodes...');
  try {
    const open = await startLocalDeployment(choice.command, 2);
    return { open, missing: undefined, notes: open.notes, close: () => open.close() };
  } catch (err) {
    return leftOut(`the local deployment did not start: ${(err as Error).message.split('\n')[0]}`);
  }
}
