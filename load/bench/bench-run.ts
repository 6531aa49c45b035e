import { readFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import type { BenchRatios } from '../../reports/bench-figures.ts';
import { ratiosTo, type LoadFigures } from './figures.ts';
import { describeIsolation, isolateBench, type CoreSplit } from './isolation.ts';
import { measureLifecycle, measureSupervisedRestart, type LifecycleFigures, type SupervisorFigures } from './lifecycle.ts';
import { TARGET_LABELS, type TargetId } from './target-ids.ts';
import { startBenchTarget, targetCommand, unavailableReason } from './targets.ts';
import { pickMedianRounds } from './rounds.ts';
import { runWorkload } from './workload.ts';

/**
 * One `sockproof bench` run: the same workload against every target (bare Socket.IO first, as the baseline
 * every ratio is taken to), then what each server costs to start and keep, then the supervisor's recovery.
 * Targets run one after another, so they never share the cores; with several rounds, all of them in turn,
 * round after round (rounds.ts picks each row's median round).
 */
export interface BenchOptions {
  targets: readonly TargetId[];
  clientCounts: readonly number[];
  durationS: number;
  /** Times every target runs at every client count, in turn; each row is shown by its median round. */
  rounds: number;
  channels: number;
  workers: number;
  /** Start-up, memory and supervised-restart measurements (off: the workload only). */
  lifecycle: boolean;
  restarts: number;
  idleSockets: number;
  kills: number;
  /** --isolate-services: the bench's PostgreSQL and Redis on a core of their own (isolation.ts). */
  isolation?: CoreSplit;
  signal?: AbortSignal;
  say: (line: string) => void;
}

export type Outcome<F> = { status: 'measured'; figures: F } | { status: 'skipped' | 'failed'; reason: string };

export interface BenchRun {
  target: TargetId;
  label: string;
  clients: number;
  outcome: Outcome<LoadFigures>;
  /** To bare Socket.IO at the same client count; absent when this run was not measured. */
  ratios?: BenchRatios;
  /** With several rounds: the acked msg/s ratio of each (load/bench/rounds.ts); this run is the median one. */
  roundRatios?: (number | null)[];
  notes: string[];
}

export interface BenchResult {
  kind: 'bench';
  startedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; os: string; node: string; loadAverageAtStart: number };
  config: { targets: TargetId[]; clientCounts: number[]; durationS: number; rounds: number; channels: number; workers: number; isolation?: CoreSplit };
  runs: BenchRun[];
  lifecycle: Array<{ target: TargetId; label: string; outcome: Outcome<LifecycleFigures> }>;
  supervisor: Outcome<SupervisorFigures> | undefined;
}

/** The supervisor's first retry delay in the measurement: short, as the target figure assumes. */
export const BENCH_INITIAL_RETRY_DELAY_S = 0.1;

async function osName(): Promise<string> {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(await readFile('/etc/os-release', 'utf8'));
    return m?.[1] ?? process.platform;
  } catch {
    return process.platform;
  }
}

const oneLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300);

async function measureTarget(id: TargetId, opts: BenchOptions): Promise<BenchRun[]> {
  const label = TARGET_LABELS[id];
  const all = (outcome: BenchRun['outcome'], notes: string[] = []) => opts.clientCounts.map((clients) => ({ target: id, label, clients, outcome, notes }));
  const why = await unavailableReason(id);
  if (why) {
    opts.say(`${label}: skipped, ${why}`);
    return all({ status: 'skipped', reason: why });
  }
  opts.say(`${label}: starting...`);
  let target;
  try {
    target = await startBenchTarget(id, opts.isolation);
  } catch (err) {
    opts.say(`${label}: could not start: ${oneLine(err)}`);
    return all({ status: 'failed', reason: `could not start: ${oneLine(err)}` });
  }
  const runs: BenchRun[] = [];
  try {
    for (const clients of opts.clientCounts) {
      if (opts.signal?.aborted) break;
      opts.say(`${label}: ${clients} clients for ${opts.durationS} s...`);
      try {
        const figures = await runWorkload(target, { clients, channels: opts.channels, durationS: opts.durationS, workers: opts.workers, cores: opts.isolation?.app, signal: opts.signal });
        runs.push({ target: id, label, clients, outcome: { status: 'measured', figures }, notes: target.notes });
      } catch (err) {
        opts.say(`${label}: ${clients} clients failed: ${oneLine(err)}`);
        runs.push({ target: id, label, clients, outcome: { status: 'failed', reason: oneLine(err) }, notes: target.notes });
      }
    }
  } finally {
    await target.close();
  }
  return runs;
}

/** Every run's ratios to the bare run at the same client count. */
function withRatios(runs: BenchRun[]): BenchRun[] {
  const baseline = (clients: number) => {
    const bare = runs.find((r) => r.target === 'bare' && r.clients === clients);
    return bare?.outcome.status === 'measured' ? bare.outcome.figures : undefined;
  };
  return runs.map((r) => (r.outcome.status === 'measured' ? { ...r, ratios: ratiosTo(r.outcome.figures, baseline(r.clients)) } : r));
}

async function measured<F>(what: string, say: (line: string) => void, measure: () => Promise<F>): Promise<Outcome<F>> {
  try {
    return { status: 'measured', figures: await measure() };
  } catch (err) {
    say(`${what}: failed: ${oneLine(err)}`);
    return { status: 'failed', reason: oneLine(err) };
  }
}

export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  // Other work on the machine takes cores from the servers and clients: the output says how busy it was.
  const loadAverageAtStart = Math.round(loadavg()[0]! * 10) / 10;
  if (opts.isolation) {
    await isolateBench(opts.isolation);
    opts.say(describeIsolation(opts.isolation));
  }
  const rounds: BenchRun[][] = [];
  for (let round = 1; round <= opts.rounds && !opts.signal?.aborted; round++) {
    if (opts.rounds > 1) opts.say(`round ${round} of ${opts.rounds}`);
    const runs: BenchRun[] = [];
    for (const id of opts.targets) {
      if (opts.signal?.aborted) break;
      runs.push(...(await measureTarget(id, opts)));
    }
    rounds.push(withRatios(runs));
  }
  const lifecycle: BenchResult['lifecycle'] = [];
  let supervisor: BenchResult['supervisor'];
  if (opts.lifecycle) {
    for (const id of opts.targets.filter((t): t is Exclude<TargetId, 'cluster'> => t !== 'cluster')) {
      if (opts.signal?.aborted) break;
      const label = TARGET_LABELS[id];
      const why = await unavailableReason(id);
      if (why) {
        lifecycle.push({ target: id, label, outcome: { status: 'skipped', reason: why } });
        continue;
      }
      opts.say(`${label}: start-up and memory...`);
      const outcome = await measured(label, opts.say, () => targetCommand(id, opts.isolation, (command) => measureLifecycle(command, { restarts: opts.restarts, idleSockets: opts.idleSockets })));
      lifecycle.push({ target: id, label, outcome });
    }
    if (opts.kills > 0 && !opts.signal?.aborted) {
      opts.say(`supervisor: SIGKILL the reference server ${opts.kills} times...`);
      supervisor = await measured('supervisor', opts.say, () => measureSupervisedRestart({ kills: opts.kills, initialRetryDelayS: BENCH_INITIAL_RETRY_DELAY_S }));
    }
  }
  return {
    kind: 'bench',
    startedAt,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? 'unknown', memoryGb: Math.round(totalmem() / 1024 ** 3), os: await osName(), node: process.version, loadAverageAtStart },
    config: { targets: [...opts.targets], clientCounts: [...opts.clientCounts], durationS: opts.durationS, rounds: opts.rounds, channels: opts.channels, workers: opts.workers, ...(opts.isolation ? { isolation: opts.isolation } : {}) },
    runs: pickMedianRounds(rounds),
    lifecycle,
    supervisor,
  };
}
