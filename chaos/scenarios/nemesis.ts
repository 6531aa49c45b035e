import { newRunId } from '../../testbed/clients/chat-fleet.ts';
import { summarizeHistory } from '../../testbed/history/history-check.ts';
import { openFaultLink, type FaultLink } from '../../testbed/fault-proxy/fault-link.ts';
import { summarize, roundSummary } from '../../testbed/percentiles.ts';
import type { TargetProcess } from '../../testbed/targets/target-process.ts';
import type { Deployment } from '../deployment/local-deployment.ts';
import { startFaultStream, type StreamEntry } from '../fault-stream.ts';
import { dependencyFaults } from '../nemesis/dependency-faults.ts';
import { runSchedule, type NemesisFault, type Settle } from '../nemesis/executor.ts';
import { processFaults } from '../nemesis/process-faults.ts';
import { judgeRecovery, recoveryBounds, type RecoveryBounds, type RecoveryReport } from '../nemesis/recovery.ts';
import { readRecoveryTimings } from '../nemesis/target-timings.ts';
import { pause, type Scenario, type ScenarioContext } from '../scenario.ts';
import { checkerSummary, streamVerdict } from '../stream-verdict.ts';
import { waitRecovered } from './dependencies/node-watch.ts';

/** How long the nemesis waits after a heal for the deployment to be healthy again (the bound it is judged by is shorter). */
const SETTLE_WAIT_MS = 30_000;

/** What the schedule plays on: faults by name, where the clients connect, how recovery after a heal is waited for. */
interface NemesisStage {
  faults: NemesisFault[];
  via: Pick<FaultLink, 'clientUrl' | 'clientTls'> | StreamEntry;
  settle?: Settle;
  close(): Promise<void>;
}

/** One node (the run's target): kill and pause of its process, partition and latency on the clients' path through the fault proxy. */
async function singleNodeStage(ctx: ScenarioContext, runId: string): Promise<NemesisStage> {
  const link: FaultLink = await openFaultLink(ctx.target.url, `sockproof-${runId}`, { clientTls: true });
  return { faults: processFaults(ctx.target.process ? [ctx.target.process] : [], link, ctx.options.latencyMs), via: link, close: () => link.close() };
}

/**
 * The local deployment the dependency scenarios use: clients spread over its nodes, kills and pauses of either
 * node (the window says which), every dependency fault on its Redis and database; after each heal the
 * nemesis waits until every node is healthy with every breaker closed, and measures how long that took.
 */
function deploymentStage(deployment: Deployment, latencyMs: number, bounds: RecoveryBounds): NemesisStage {
  // Waits past the bound it is judged by (a staging breaker reset of 30 s makes it long), so that late is measured, not cut off.
  const settleWaitMs = Math.max(SETTLE_WAIT_MS, bounds.healthyMs + 5_000);
  const procs = deployment.nodes.map((n) => n.process).filter((p): p is TargetProcess => p !== undefined);
  return {
    faults: [...processFaults(procs, undefined, latencyMs), ...dependencyFaults(deployment.dependencies)],
    via: { access: { url: deployment.nodes[0]!.url, tokens: deployment.tokens, admit: deployment.admit }, clientUrls: deployment.nodes.map((n) => n.url) },
    settle: async () => {
      const from = performance.now();
      const at = Object.values(await waitRecovered(deployment.nodes, from + settleWaitMs));
      return at.some((t) => t === undefined) ? null : Math.round(Math.max(...(at as number[])) - from);
    },
    close: async () => {},
  };
}

/**
 * nemesis: clients stream while the runner plays a schedule (`--schedule random|FILE`, `--duration`, `--seed`),
 * one window at a time, always ending healed. On one node: kills, pauses, partitions and latency. On the
 * local two-node deployment, or a configured staging one (`--on-deployment`, with `--config`): kills and pauses
 * of any node (staging's through its hooks) and Redis and database faults, with recovery after each heal judged
 * against the target's own timings (nemesis/target-timings.ts). Judged by every history checker.
 */
export const nemesisScenario: Scenario = async (ctx) => {
  const o = ctx.options;
  const schedule = o.schedule;
  if (!schedule) return { verdict: 'unimplemented', reason: 'needs --schedule random|FILE', figures: {} };
  const onDeployment = o.nemesisOnDeployment === true;
  if (onDeployment && !ctx.deployment) return { verdict: 'unimplemented', reason: ctx.deploymentMissing ?? 'needs the local deployment', figures: {} };
  const runId = newRunId('nem');
  const deployment = onDeployment ? ctx.deployment : undefined;
  if (deployment) {
    const before = await waitRecovered(deployment.nodes, performance.now() + SETTLE_WAIT_MS);
    const unready = Object.entries(before).filter(([, at]) => at === undefined).map(([n]) => n);
    if (unready.length > 0) return { verdict: 'inconclusive', reason: `not healthy before the schedule: ${unready.join(', ')}`, figures: {} };
  }
  // Recovery is judged by the deployment's own timings: its breaker reset from GET /spec, the rest as the runner set them or SPEC.md's defaults.
  const bounds: RecoveryBounds | undefined = deployment ? recoveryBounds(await readRecoveryTimings(deployment.nodes, deployment.dependencies.targetEnv, deployment.timings)) : undefined;
  if (bounds) ctx.say(`  recovery bounds: healthy within ${bounds.healthyMs} ms, first ok ack within ${bounds.firstAckMs} ms of each heal`);
  const stage = deployment && bounds ? deploymentStage(deployment, o.latencyMs, bounds) : await singleNodeStage(ctx, runId);
  try {
    // Staging's kill and pause hooks (--config) stand in for a process the runner did not start.
    const faults = new Map([...stage.faults, ...(ctx.nodeFaults ?? [])].map((f): [NemesisFault['name'], NemesisFault] => [f.name, f]));
    const fs = await startFaultStream(ctx, runId, stage.via);
    let run;
    try {
      await pause(o.phaseMs, ctx.signal);
      run = await runSchedule(schedule, faults, fs, ctx.signal, ctx.say, stage.settle);
      await pause(o.phaseMs, ctx.signal);
    } catch (err) {
      fs.abort();
      throw err;
    }
    const { records, history, doubt, checkers, recorded } = await fs.finish();
    const stream = streamVerdict(checkers, doubt);
    const recovery: RecoveryReport | undefined = stage.settle ? judgeRecovery(recorded, run.healthyAfterMs, bounds ?? recoveryBounds()) : undefined;
    let { verdict, reason } = stream;
    if (recovery?.verdict === 'invalid') [verdict, reason] = ['fail', verdict === 'fail' ? `${reason}; recovery: ${recovery.reason}` : `recovery: ${recovery.reason}`];
    else if (recovery?.verdict === 'unknown' && verdict === 'pass') [verdict, reason] = ['inconclusive', `recovery: ${recovery.reason}`];
    else if (recovery) reason = `${reason}; recovery: ${recovery.reason}`;
    const skipped = Object.entries(run.skipped).map(([f, n]) => `${f} x${n}`);
    const availability = checkers.find((c) => c.checker === 'availability')?.figures ?? {};
    const dependencyCuts = Object.entries(run.ran).filter(([f]) => !['kill', 'pause', 'partition', 'latency'].includes(f)).reduce((a, [, n]) => a + (n ?? 0), 0);
    return {
      verdict,
      reason: `${reason}; ${run.ran.kill ?? 0} kill(s)${deployment ? `, ${dependencyCuts} Redis/database fault(s)` : ''}, ${Object.values(run.ran).reduce((a, b) => a + (b ?? 0), 0)} window(s)${run.notReached ? `, ${run.notReached} not reached within --duration` : ''}${skipped.length ? `; left out (this target cannot): ${skipped.join(', ')}` : ''}`,
      figures: {
        ...doubt,
        seed: schedule.seed,
        durationMs: schedule.durationMs,
        on: deployment ? `deployment of ${deployment.nodes.length} nodes on Redis and PostgreSQL behind the fault proxy` : 'one node',
        windows: run.ran,
        kills: run.ran.kill ?? 0,
        ...(deployment ? { dependencyCuts } : {}),
        skipped: run.skipped,
        maxLateMs: run.maxLateMs,
        notReached: run.notReached,
        lost: history.lost.length,
        duplicated: history.duplicated.length,
        okShare: availability.okShare ?? null,
        maxRecoverMs: availability.maxRecoverMs ?? null,
        ackLatencyMs: roundSummary(summarize(records.flatMap((r) => (r.ackMs === undefined ? [] : [r.ackMs])))),
        ...(recovery ? { recovery } : {}),
      },
      history: summarizeHistory(history),
      checkers: checkerSummary(checkers),
      recorded,
    };
  } finally {
    await stage.close();
  }
};
