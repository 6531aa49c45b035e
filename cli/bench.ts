import type { Command } from 'commander';
import type { CoreSplit } from '../load/bench/isolation.ts';
import { TARGET_IDS as TARGETS } from '../load/bench/target-ids.ts';
import { BOUNDS } from '../testbed/run-bounds.ts';
import { numberFlagOrUsage, stopOnSignals } from './run-options.ts';
import { UsageError } from './usage-error.ts';

/** The workload's public channels (issue 9's comparison); flags are checked in the action, once, before anything starts. */
const CHANNELS = 10;

interface BenchFlags {
  duration: string;
  rounds: string;
  clients: string;
  targets: string;
  workers: string;
  lifecycle: boolean;
  kills: string;
  restarts: string;
  idleSockets: string;
  isolateServices?: boolean;
  out?: string;
  json?: boolean;
}

function clientCounts(raw: string): number[] {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length < BOUNDS.clientCounts.min || parts.length > BOUNDS.clientCounts.max) {
    throw new UsageError(`--clients takes 1 to ${BOUNDS.clientCounts.max} comma-separated counts, got "${raw}"`);
  }
  return [...new Set(parts.map((p) => numberFlagOrUsage('--clients', p, BOUNDS.clients)))];
}

function targets(raw: string): Array<(typeof TARGETS)[number]> {
  const parts = [...new Set(raw.split(',').map((p) => p.trim()))];
  const wrong = parts.find((p) => !(TARGETS as readonly string[]).includes(p));
  if (wrong !== undefined || parts.length === 0) throw new UsageError(`--targets takes a comma-separated list of ${TARGETS.join(', ')}, got "${raw}"`);
  // The baseline first: every other target's ratios are taken to it.
  return TARGETS.filter((t) => parts.includes(t));
}

/**
 * --isolate-services: the cores for the servers and for the services, or a usage error saying why not. Loaded
 * when asked for, as the bench itself is: every other command starts without it.
 */
async function isolationOrUsage(): Promise<CoreSplit> {
  const { planIsolation } = await import('../load/bench/isolation.ts');
  const plan = planIsolation();
  if (typeof plan === 'string') throw new UsageError(plan);
  return plan;
}

/** `reports/bench-2026-11-30T15-22-34Z`: sorts by time, no characters a file system refuses. */
function defaultOutDir(now = new Date()): string {
  return `reports/bench-${now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}`;
}

export function registerBench(program: Command): void {
  const bench = program
    .command('bench')
    .description('compare the reference server with bare Socket.IO in one run: throughput, latency, CPU, memory, start-up, recovery');

  bench
    .command('run', { isDefault: true })
    .description(
      'the same closed-loop message:send workload against bare Socket.IO, the reference server on its embedded store, on PostgreSQL and as 2 nodes over Redis ' +
        '(when those are reachable); prints a table with ratios to bare Socket.IO and writes report.json, summary.md and report.html with plots',
    )
    .option('--duration <s>', `seconds of sending per target, client count and round (${BOUNDS.durationS.min}-${BOUNDS.durationS.max})`, '5')
    .option('--rounds <n>', `every target in turn this many times; each row shows its median round (${BOUNDS.benchRounds.min}-${BOUNDS.benchRounds.max})`, '3')
    .option('--clients <n,...>', `client counts, comma-separated (each ${BOUNDS.clients.min}-${BOUNDS.clients.max})`, '50,200')
    .option('--targets <list>', `targets to run, comma-separated: ${TARGETS.join(', ')}`, TARGETS.join(','))
    .option('--workers <n>', `client worker processes (${BOUNDS.workers.min}-${BOUNDS.workers.max})`, '2')
    .option('--no-lifecycle', 'skip start-up, memory and supervised-restart measurements')
    .option('--kills <n>', `SIGKILLs of the supervised reference server (${BOUNDS.benchKills.min}-${BOUNDS.benchKills.max}; 0: not measured)`, '3')
    .option('--restarts <n>', `starts on the data a first start left, median taken (${BOUNDS.restarts.min}-${BOUNDS.restarts.max})`, '3')
    .option('--idle-sockets <n>', `idle sockets for RSS per 1,000 sockets (${BOUNDS.idleSockets.min}-${BOUNDS.idleSockets.max})`, '1000')
    .option('--isolate-services', "the bench's PostgreSQL and Redis on the last core, servers and clients on the others, as a database on its own host (Linux, 2+ cores)")
    .option('--out <dir>', 'where report.json, junit.xml, summary.md and report.html go (default: reports/bench-<time>)')
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (flags: BenchFlags) => {
      const options = {
        durationS: numberFlagOrUsage('--duration', flags.duration, BOUNDS.durationS),
        rounds: numberFlagOrUsage('--rounds', flags.rounds, BOUNDS.benchRounds),
        clientCounts: clientCounts(flags.clients),
        targets: targets(flags.targets),
        workers: numberFlagOrUsage('--workers', flags.workers, BOUNDS.workers),
        lifecycle: flags.lifecycle,
        kills: numberFlagOrUsage('--kills', flags.kills, BOUNDS.benchKills),
        idleSockets: numberFlagOrUsage('--idle-sockets', flags.idleSockets, BOUNDS.idleSockets),
        channels: CHANNELS,
        restarts: numberFlagOrUsage('--restarts', flags.restarts, BOUNDS.restarts),
        ...(flags.isolateServices ? { isolation: await isolationOrUsage() } : {}),
      };
      const out = flags.out ?? defaultOutDir();
      const say = (line: string) => process.stderr.write(`${line}\n`);
      const stop = stopOnSignals(say);
      try {
        const { runBench } = await import('../load/bench/bench-run.ts');
        const { formatBench } = await import('../load/bench/format.ts');
        const { benchReport } = await import('../load/bench/report.ts');
        const { writeReports } = await import('../reports/write.ts');
        const result = await runBench({ ...options, signal: stop.signal, say });
        process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${formatBench(result)}\n`);
        const paths = await writeReports(benchReport(result), out);
        say(`report: ${paths.html} (and ${paths.json}, ${paths.junit}, ${paths.markdown})`);
        const outcomes = [...result.runs, ...result.lifecycle].map((r) => r.outcome.status).concat(result.supervisor ? [result.supervisor.status] : []);
        const failed = outcomes.includes('failed');
        process.exitCode = stop.signal.aborted ? 130 : failed ? 1 : 0;
      } finally {
        stop.release();
      }
    });

  bench
    .command('bare-server')
    .description('the baseline alone: a bare Socket.IO server with no store, auth or limits (PORT, HOST, SOCKPROOF_PORT_FILE); never expose it')
    .action(async () => (await import('../load/bench/bare-server.ts')).runBareServerProcess());

  bench
    .command('client-worker', { hidden: true })
    .description('one client process of a bench run (started by `sockproof bench` over IPC)')
    .action(async () => (await import('../load/bench/client-worker.ts')).runClientWorker());
}
