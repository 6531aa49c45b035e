import { randomInt } from 'node:crypto';
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { defaultScenarios, DEPENDENCY_SCENARIOS, SCENARIO_NAMES, type ChaosOptions, type ScenarioName } from '../chaos/scenario.ts';
import { targetChoice } from '../testbed/targets/target-flags.ts';
import { admittedBy } from '../testbed/targets/run-target.ts';
import { usersNeeded, usersPerScenario } from '../chaos/scenario-users.ts';
import { BOUNDS } from '../testbed/run-bounds.ts';
import { numberFlagOrUsage, OUT_OPTION, withTarget, withTargetOptions, writeRunReport, type RunFlags } from './run-options.ts';
import { UsageError } from './usage-error.ts';
import { CONFIG_OPTION, configuredTarget, refuseShortOfTokens } from './config-option.ts';

interface ChaosFlags extends RunFlags {
  scenarios?: string;
  schedule?: string;
  duration: string;
  clients: string;
  rate: string;
  kills?: string;
  cutMs: string;
  latencyMs: string;
  phaseMs: string;
  seed?: string;
  maxMessages: string;
  timeout: string;
  onDeployment?: boolean;
  config?: string;
}

function parseScenarios(raw: string): ScenarioName[] {
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`--scenarios takes a comma-separated list of ${SCENARIO_NAMES.join(', ')}`);
  for (const n of names) {
    if (!(SCENARIO_NAMES as readonly string[]).includes(n)) throw new UsageError(`--scenarios: unknown scenario "${n}" (known: ${SCENARIO_NAMES.join(', ')})`);
  }
  // Always in the canonical order: the kill scenario restarts the server, so it runs last.
  return SCENARIO_NAMES.filter((n) => names.includes(n));
}

export function registerChaos(program: Command): void {
  withTargetOptions(
    program
      .command('chaos')
      .description('fault scenarios against a chat server, each with a verdict: latency, partition (through the fault proxy), kill (SIGKILL + restart; needs a server the runner starts), Redis/database faults on a local two-node deployment (needs redis-server and PostgreSQL), and nemesis schedules. Exit 0 all pass, 1 one fails, 2 could not run')
      .option('--scenarios <list>', `comma-separated: ${SCENARIO_NAMES.join(',')} (default: all but nemesis; with --target ${defaultScenarios(true).join(',')}; nemesis with --schedule)`)
      .option('--schedule <random|FILE>', 'nemesis scenario: a seeded random schedule of kill, pause, partition and latency (with --on-deployment: kill and pause of either node, Redis and database faults), or one from a JSON file (chaos/README.md)')
      .option('--on-deployment', 'nemesis scenario: play the schedule on the local two-node deployment (Redis and PostgreSQL behind the fault proxy), or with --config on the configured staging deployment (kills and pauses through its hooks, faults through its Toxiproxy): kills and pauses of any node and Redis and database faults, recovery after each heal judged by the target\'s own timings')
      .option('--duration <s>', `nemesis scenario: how long the schedule runs (${BOUNDS.durationS.min}-${BOUNDS.durationS.max})`, '60')
      .option('--clients <n>', `streaming clients (${BOUNDS.clients.min}-${BOUNDS.clients.max})`, '5')
      .option('--rate <n>', 'messages per client per second while streaming', '5')
      .option('--kills <n>', `SIGKILLs: kill scenario (default 1); at most, in a random schedule (default ${BOUNDS.kills.max}) (${BOUNDS.kills.min}-${BOUNDS.kills.max})`)
      .option('--cut-ms <ms>', `partition scenario: how long the proxy stays cut (${BOUNDS.cutMs.min}-${BOUNDS.cutMs.max})`, '2000')
      .option('--latency-ms <ms>', `latency scenario: added latency (${BOUNDS.latencyMs.min}-${BOUNDS.latencyMs.max})`, '200')
      .option('--phase-ms <ms>', `length of each streaming phase around a fault (${BOUNDS.phaseMs.min}-${BOUNDS.phaseMs.max})`, '2000')
      .option('--seed <n>', 'seed for the kill moments (printed, to replay a run)')
      .option('--max-messages <n>', 'stop sending after this many messages per scenario', '10000')
      .option('--timeout <s>', `stop the whole run after this many seconds (${BOUNDS.timeoutS.min}-${BOUNDS.timeoutS.max})`, '300')
      .option(CONFIG_OPTION[0], 'run against staging as this JSON file names it: nodes or a load balancer, Toxiproxy and its proxies, auth, TLS CA, allowed scenarios, kill/pause hooks, timings GET /spec does not publish (chaos/README.md, chaos/chaos.example.json)')
      .option(...OUT_OPTION),
  ).action(async (flags: ChaosFlags) => {
    const configured = await configuredTarget(flags);
    if (configured && 'rerunExit' in configured) return void (process.exitCode = configured.rerunExit);
    const staging = configured?.config;
    if (staging) {
      // The first node is the run's target (single-node scenarios); the staging deployment relaxes the limits for the run's users.
      Object.assign(flags, { target: staging.nodes[0]!.url, allowRemote: true });
      if (flags.scenarios === undefined && flags.schedule === undefined) flags.scenarios = staging.scenarios.join(',');
    }
    if (flags.schedule !== undefined && flags.scenarios !== undefined) throw new UsageError('--schedule runs the nemesis scenario alone: leave out --scenarios');
    const names = flags.schedule !== undefined ? (['nemesis'] as ScenarioName[]) : parseScenarios(flags.scenarios ?? defaultScenarios(flags.target !== undefined).join(','));
    const notAllowed = staging ? names.filter((n) => !staging.scenarios.includes(n)) : [];
    if (notAllowed.length > 0) throw new UsageError(`${notAllowed.join(', ')}: not among the scenarios ${flags.config} allows (${staging!.scenarios.join(', ')})`);
    if (names.includes('nemesis') && flags.schedule === undefined) throw new UsageError('the nemesis scenario needs --schedule random|FILE');
    if (flags.onDeployment && flags.schedule === undefined) throw new UsageError('--on-deployment plays a nemesis schedule: give --schedule random|FILE');
    if (!staging && flags.target !== undefined && names.length === 1 && names[0] === 'kill') {
      throw new UsageError('the kill scenario needs a server the runner starts: use --server-cmd (or no --target) instead of --target');
    }
    const seed = flags.seed === undefined ? randomInt(0, 2 ** 31) : numberFlagOrUsage('--seed', flags.seed, { min: 0, max: 2 ** 32 - 1 });
    const phaseMs = numberFlagOrUsage('--phase-ms', flags.phaseMs, BOUNDS.phaseMs);
    const options: ChaosOptions = {
      clients: numberFlagOrUsage('--clients', flags.clients, BOUNDS.clients),
      rate: numberFlagOrUsage('--rate', flags.rate, BOUNDS.rate, true),
      kills: flags.kills === undefined ? 1 : numberFlagOrUsage('--kills', flags.kills, BOUNDS.kills),
      killDelayMs: { min: Math.round(phaseMs / 2), max: phaseMs },
      cutMs: numberFlagOrUsage('--cut-ms', flags.cutMs, BOUNDS.cutMs),
      latencyMs: numberFlagOrUsage('--latency-ms', flags.latencyMs, BOUNDS.latencyMs),
      phaseMs,
      seed,
      maxMessages: numberFlagOrUsage('--max-messages', flags.maxMessages, BOUNDS.maxMessages),
      drainMs: 20_000,
    };
    if (flags.schedule !== undefined) {
      const durationMs = numberFlagOrUsage('--duration', flags.duration, BOUNDS.durationS) * 1000;
      const maxKills = flags.kills === undefined ? BOUNDS.kills.max : options.kills;
      // On staging the schedule strikes the nodes its config names; locally the two the runner starts.
      options.schedule = await nemesisSchedule(flags.schedule, seed, durationMs, { maxKills, holdMaxMs: options.cutMs, ...(flags.onDeployment ? { deploymentNodes: staging ? staging.nodes.length : 2 } : {}) });
      if (flags.onDeployment) options.nemesisOnDeployment = true;
    }
    const timeoutS = numberFlagOrUsage('--timeout', flags.timeout, BOUNDS.timeoutS);
    if (staging) {
      const need = usersNeeded(names, options.clients, staging.nodes.length);
      refuseShortOfTokens(staging, { users: need.users, why: need.scenario ? `${need.scenario}: ${usersPerScenarioText(need.scenario, options.clients, staging.nodes.length)}` : '' }, timeoutS, '--timeout');
    }
    // Staging: the config's token source gives every token of the run (its users', its reader's, the runner's admin token).
    await withTarget(flags, { needsSecret: staging === undefined, relaxLimits: staging === undefined, ...configured?.run }, async (target, signal, say) => {
      const { runChaos } = await import('../chaos/runner.ts');
      const { formatVerdictTable } = await import('../chaos/verdict-table.ts');
      const { deploymentForRun } = await import('../chaos/deployment/run-deployment.ts');
      const startedAt = new Date().toISOString();
      const deployment = staging ? await stagingDeploymentForRun(names, staging, say, flags.onDeployment === true) : await deploymentForRun(names, targetChoice(flags, true), say, flags.onDeployment === true);
      for (const note of deployment.notes) say(note);
      // Staging: the single-node scenarios' users share the deployment's one relaxation (FIX-4).
      const runTarget = deployment.admit ? admittedBy(target, deployment.admit) : target;
      let run: Awaited<ReturnType<typeof runChaos>>;
      try {
        run = await runChaos(runTarget, names, options, { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutS * 1000)]), say, deployment, killable: deployment.killable, nodeFaults: deployment.nodeFaults });
      } finally {
        await deployment.close();
      }
      const { EXIT_STATUS } = await import('../reports/verdicts.ts');
      const { outcome } = run;
      process.exitCode = EXIT_STATUS[outcome];
      const url = target.url;
      const startedByHarness = target.process !== undefined;
      return async (closeNotes) => {
        const notes = [...(staging ? [] : target.notes), ...deployment.notes, ...closeNotes, `seed ${seed} (replay the kill moments${options.schedule ? ' and the schedule' : ''} with --seed ${seed})`];
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ outcome, exitStatus: EXIT_STATUS[outcome], target: url, options, scenarios: run.results.map(({ recorded: _history, ...r }) => r), notes, ...(deployment.hookRuns ? { hooks: deployment.hookRuns } : {}) })}\n`);
        } else {
          process.stdout.write(`${formatVerdictTable(run.results, notes)}\n${outcome.toUpperCase()}\n`);
        }
        const { chaosReport } = await import('../chaos/report.ts');
        const { chaosTimelines } = await import('../chaos/report.ts');
        await writeRunReport(flags.out, async () => chaosReport({ results: run.results, url, startedByHarness, startedAt, notes }), say, () => chaosTimelines(run.results));
      };
    });
  });
}


/** The schedule `--schedule` names: a seeded random one of the runner's own faults, or one read from a JSON file. */
async function nemesisSchedule(raw: string, seed: number, durationMs: number, random: import('../chaos/nemesis/schedule.ts').RandomScheduleOptions) {
  const { randomSchedule, NemesisSchedule } = await import('../chaos/nemesis/schedule.ts');
  if (raw === 'random') return randomSchedule(seed, durationMs, random);
  const text = await readFile(raw, 'utf8').catch((err: Error) => {
    throw new UsageError(`--schedule: cannot read ${raw}: ${err.message}`);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--schedule: ${raw} is not JSON: ${(err as Error).message}`);
  }
  const parsed = NemesisSchedule.safeParse(json);
  if (!parsed.success) throw new UsageError(`--schedule: ${raw}: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

function usersPerScenarioText(name: ScenarioName, clients: number, nodes: number): string {
  return (DEPENDENCY_SCENARIOS as readonly string[]).includes(name) ? `${usersPerScenario(name, clients, nodes) - 2} streaming clients over ${nodes} node(s), a send probe and the history reader` : `${clients} clients and the history reader`;
}

/** Opens staging (health, proxies, the run's relaxation of the limits); a failure is one line, exit 2. */
async function stagingDeploymentForRun(names: readonly ScenarioName[], config: import('../chaos/config/load-config.ts').StagingConfig, warn: (line: string) => void, nemesisOnDeployment: boolean) {
  const { openStagingDeployment } = await import('../chaos/deployment/staging-deployment.ts');
  const { stagingRunDeployment } = await import('../chaos/deployment/run-deployment.ts');
  return stagingRunDeployment(names, await openStagingDeployment(config, { warn }), nemesisOnDeployment);
}
