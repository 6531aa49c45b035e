import type { RunTarget } from '../testbed/targets/run-target.ts';
import { latencyScenario } from './scenarios/latency.ts';
import { killScenario } from './scenarios/kill.ts';
import { partitionScenario } from './scenarios/partition.ts';
import { DEPENDENCY_SCENARIO_TABLE } from './scenarios/dependencies/index.ts';
import type { Deployment } from './deployment/local-deployment.ts';
import { nemesisScenario } from './scenarios/nemesis.ts';
import type { NemesisFault } from './nemesis/executor.ts';
import type { ChaosOptions, KillableNode, Scenario, ScenarioName, ScenarioResult } from './scenario.ts';
import { runOutcome, type CommandOutcome } from '../reports/verdicts.ts';

const SCENARIOS: Record<ScenarioName, Scenario> = {
  latency: latencyScenario,
  partition: partitionScenario,
  kill: killScenario,
  ...(Object.fromEntries(Object.entries(DEPENDENCY_SCENARIO_TABLE).map(([name, s]) => [name, s.run])) as Record<keyof typeof DEPENDENCY_SCENARIO_TABLE, Scenario>),
  nemesis: nemesisScenario,
};

export interface ChaosRun {
  results: ScenarioResult[];
  outcome: CommandOutcome;
}

/**
 * Runs the chosen scenarios one after another against one open target, each on its own fresh channel. A
 * scenario that throws is `inconclusive` (it could not finish) and the next one still runs. Scenarios not
 * reached before the overall deadline, or after an abort, are `inconclusive`.
 */
export async function runChaos(
  target: RunTarget,
  names: readonly ScenarioName[],
  options: ChaosOptions,
  ctl: { signal: AbortSignal; say: (line: string) => void; deployment?: { open: Deployment | undefined; missing: string | undefined }; killable?: KillableNode | undefined; nodeFaults?: NemesisFault[] | undefined },
): Promise<ChaosRun> {
  const results: ScenarioResult[] = [];
  for (const name of names) {
    const t0 = performance.now();
    if (ctl.signal.aborted) {
      results.push({ name, verdict: 'inconclusive', reason: 'the run was stopped (signal or --timeout) before it started', figures: {}, durationS: 0 });
      continue;
    }
    ctl.say(`scenario ${name}...`);
    let r: Omit<ScenarioResult, 'name' | 'durationS'>;
    try {
      r = await SCENARIOS[name]({ target, options, signal: ctl.signal, say: ctl.say, deployment: ctl.deployment?.open, deploymentMissing: ctl.deployment?.missing, killable: ctl.killable, nodeFaults: ctl.nodeFaults });
      // A window cut short by the stop is not the fault it meant to judge: neither its pass nor its fail counts.
      if (ctl.signal.aborted && (r.verdict === 'pass' || r.verdict === 'fail')) r = { ...r, verdict: 'inconclusive', reason: `stopped early: ${r.reason}` };
    } catch (err) {
      r = { verdict: 'inconclusive', reason: `could not run: ${(err as Error).message.split('\n')[0]}`, figures: {} };
    }
    const result = { name, ...r, durationS: Math.round((performance.now() - t0) / 100) / 10 };
    ctl.say(`scenario ${name}: ${result.verdict.toUpperCase()} (${result.durationS} s)`);
    results.push(result);
  }
  // Every scenario is a MUST of its run: a failed or undecided one fails it, one this target cannot run does not.
  return { results, outcome: runOutcome(results.map((r) => ({ level: 'MUST' as const, verdict: r.verdict })), false) };
}
