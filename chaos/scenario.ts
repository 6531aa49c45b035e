import { setTimeout as sleep } from 'node:timers/promises';
import type { RunTarget } from '../testbed/targets/run-target.ts';
import type { NemesisSchedule } from './nemesis/schedule.ts';
import type { NemesisFault } from './nemesis/executor.ts';
import type { Observation } from '../reports/verdicts.ts';
import type { HistorySummary } from '../testbed/history/history-check.ts';
import type { Deployment } from './deployment/local-deployment.ts';
import type { History } from '../testbed/history/history.ts';
import type { CheckerVerdict } from '../testbed/history/checkers/index.ts';


export interface ScenarioResult {
  name: ScenarioName;
  /**
   * What the scenario observed (reports/verdicts.ts): `unimplemented` when it cannot run against this
   * target (kill needs a server the runner starts), `inconclusive` when it could not finish.
   */
  verdict: Observation;
  /** One line: why it passed, failed or was skipped. */
  reason: string;
  /** Figures the scenario measured (numbers, or small records of numbers). */
  figures: Record<string, unknown>;
  history?: HistorySummary;
  /** Each history checker's verdict, with its first counterexamples. */
  checkers?: CheckerVerdict[];
  /** The run's whole history (for the timeline report; left out of --json). */
  recorded?: History;
  durationS: number;
}

/** Scenarios on one node, through the runner's own path to it. */
export const SINGLE_NODE_SCENARIOS = ['latency', 'partition', 'kill'] as const;
/** Scenarios on a deployment's Redis and database (scenarios/dependencies/), needing `ScenarioContext.deployment`. */
export const DEPENDENCY_SCENARIOS = ['redis-down', 'redis-latency', 'redis-slicer', 'db-down', 'db-down-manual-recovery', 'db-latency', 'db-reset-peer', 'db-limit-data', 'db-timeout'] as const;
/** `nemesis` plays a schedule (--schedule) and runs alone. */
export const SCENARIO_NAMES = [...DEPENDENCY_SCENARIOS, ...SINGLE_NODE_SCENARIOS, 'nemesis'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];
export type DependencyScenarioName = (typeof DEPENDENCY_SCENARIOS)[number];

/**
 * What `--scenarios` runs when not given: every scenario but nemesis; against an attached `--target`, the
 * single-node ones (the dependency scenarios need a deployment the runner starts).
 */
export function defaultScenarios(attached: boolean): readonly ScenarioName[] {
  return attached ? SINGLE_NODE_SCENARIOS : [...DEPENDENCY_SCENARIOS, ...SINGLE_NODE_SCENARIOS];
}

export interface ChaosOptions {
  clients: number;
  /** Messages per client per second while streaming. */
  rate: number;
  kills: number;
  /** Random delay before each kill, ms. */
  killDelayMs: { min: number; max: number };
  cutMs: number;
  latencyMs: number;
  /** Length of each streaming phase around a fault (warm-up, tail, before/during), ms. */
  phaseMs: number;
  seed: number;
  maxMessages: number;
  /** How long to wait, after the stream stops, for in-doubt sends to resolve. */
  drainMs: number;
  /** The nemesis scenario's schedule (`--schedule`). */
  schedule?: NemesisSchedule;
  /** The nemesis plays on the run's deployment (`--on-deployment`): its nodes, Redis and database. */
  nemesisOnDeployment?: boolean;
}

/**
 * A node the kill scenario crashes and restarts: a server the runner started (TargetProcess), or a staging
 * node through the operator's kill and restart hooks (chaos/deployment/staging-deployment.ts).
 */
export interface KillableNode {
  url: string;
  crash(): Promise<void>;
  /** Starts it again; resolves once it was asked to (the scenario waits for it to serve). */
  restart(): Promise<void>;
  /** What it said last, for an error that it did not come back. */
  lastOutput(): string;
}

export interface ScenarioContext {
  target: RunTarget;
  options: ChaosOptions;
  signal: AbortSignal;
  say: (line: string) => void;
  /** Nodes on faultable Redis and PostgreSQL, for the dependency scenarios; when absent, `deploymentMissing` says why. */
  deployment?: Deployment | undefined;
  deploymentMissing?: string | undefined;
  /** The target as a node to kill, when it is not a process the runner started (staging's hooks). */
  killable?: KillableNode | undefined;
  /** Kill and pause of the target through staging's hooks, for the nemesis (a started target has its own). */
  nodeFaults?: NemesisFault[] | undefined;
}

export type Scenario = (ctx: ScenarioContext) => Promise<Omit<ScenarioResult, 'name' | 'durationS'>>;

/** Sleeps `ms`, or less when the run is aborted. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}
