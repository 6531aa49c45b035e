import type { TargetChoice } from '../../testbed/targets/run-target.ts';
import { DEPENDENCY_SCENARIOS, type KillableNode, type ScenarioName } from '../scenario.ts';
import type { StagingDeployment } from './staging-deployment.ts';
import type { HookResult } from './command-hook.ts';
import type { NemesisFault } from '../nemesis/executor.ts';
import { localDeploymentUnavailable, startLocalDeployment, type Deployment } from './local-deployment.ts';
import { stagingNodeFaults } from './staging-node-faults.ts';

/** The deployment a chaos run's dependency scenarios use, or why they are left out; notes for the output. */
export interface RunDeployment {
  open: Deployment | undefined;
  missing: string | undefined;
  notes: string[];
  /** The run's target as the kill scenario kills it, when the runner did not start it (staging's hooks). */
  killable?: KillableNode | undefined;
  /** The same target's kill and pause for the nemesis, through staging's hooks. */
  nodeFaults?: NemesisFault[] | undefined;
  /** Every hook the run ran (staging), with exit code, duration and output. */
  hookRuns?: readonly HookResult[];
  /** Staging: relaxes the limits for these users of the single-node scenarios too, before they connect (FIX-4). */
  admit?: ((userIds: readonly string[]) => Promise<void>) | undefined;
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

/**
 * The staging deployment of `--config`: the dependency scenarios run on it when its file names the proxies
 * in front of staging's Redis and database; otherwise they are left out with that reason. With
 * `nemesisOnDeployment` the nemesis plays on it too: kills and pauses of any node through its hooks.
 */
export function stagingRunDeployment(names: readonly ScenarioName[], staging: StagingDeployment, nemesisOnDeployment = false): RunDeployment {
  const onDeployment = nemesisOnDeployment && names.includes('nemesis');
  const chosen = onDeployment ? ['nemesis'] : names.filter((n) => (DEPENDENCY_SCENARIOS as readonly string[]).includes(n));
  const close = () => staging.close();
  // The first node is the run's target: the kill scenario kills it through its hooks.
  const killable = staging.killable(staging.nodes[0]!.name);
  // On the deployment a window names the node it strikes; otherwise the run's target, the first node.
  const nodeFaults = onDeployment ? stagingNodeFaults(staging) : staging.nodeFaults(staging.nodes[0]!.name);
  if (chosen.length > 0 && staging.dependencies === undefined) {
    const why = 'the config names no proxies in toxiproxy.proxies';
    staging.notes.push(`dependency scenarios left out (${chosen.join(', ')}): ${why}`);
    return { open: undefined, missing: why, notes: staging.notes, killable, nodeFaults, hookRuns: staging.hookRuns, admit: staging.admit, close };
  }
  const open = staging.dependencies ? { ...staging, dependencies: staging.dependencies } : undefined;
  return { open, missing: undefined, notes: staging.notes, killable, nodeFaults, hookRuns: staging.hookRuns, admit: staging.admit, close };
}
