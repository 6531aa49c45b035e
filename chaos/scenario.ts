import { setTimeout as sleep } from 'node:timers/promises';
import type { RunTarget } from '../testbed/targets/run-target.ts';
import type { NemesisSchedule } from './nemesis/schedule.ts';
import type { Observation } from '../reports/verdicts.ts';
import type { HistorySummary } from '../testbed/history/history-check.ts';
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

export const SCENARIO_NAMES = ['latency', 'partition', 'kill', 'nemesis'] as const;
/** What `--scenarios` runs when not given (nemesis runs when `--schedule` is given). */
export const DEFAULT_SCENARIOS: readonly ScenarioName[] = ['latency', 'partition', 'kill'];
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

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
}

export interface ScenarioContext {
  target: RunTarget;
  options: ChaosOptions;
  signal: AbortSignal;
  say: (line: string) => void;
}

export type Scenario = (ctx: ScenarioContext) => Promise<Omit<ScenarioResult, 'name' | 'durationS'>>;

/** Sleeps `ms`, or less when the run is aborted. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}
