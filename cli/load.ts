import type { Command } from 'commander';
import type { Report } from '../reports/schema.ts';
import { BOUNDS } from '../testbed/run-bounds.ts';
import { numberFlag, targetChoice, type TargetFlags } from '../load/run-flags.ts';
import { openTarget, type RunTarget } from '../testbed/targets/run-target.ts';
import { UsageError } from './usage-error.ts';

interface CommonFlags extends TargetFlags {
  duration?: string;
  json?: boolean;
}

/** Adds the target flags every load and chaos command shares. */
export function withTargetOptions(cmd: Command): Command {
  return cmd
    .option('--target <url>', 'a running server (loopback only unless --allow-remote); default: start the reference server')
    .option('--allow-remote', 'allow a --target that is not 127.0.0.0/8, ::1 or localhost (e.g. staging)')
    .option('--server-cmd <command>', 'start the server with this command (PORT, HOST, JWT_SECRET, DATA_DIR, SOCKPROOF_PORT_FILE set by the runner)')
    .option('--env <NAME=VALUE...>', 'extra environment for the started server')
    .option('--jwt-secret <secret>', "the target's HS256 secret (mints user and admin tokens)")
    .option('--json', 'print the result as one JSON object on stdout');
}

/**
 * Runs `body` with the target open, SIGINT/SIGTERM wired to an abort signal, and every failure to run turned
 * into one line and exit 2 (UsageError). The target is always closed: limits restored, started server removed.
 */
export async function withTarget(
  flags: TargetFlags,
  opts: { needsSecret: boolean; relaxLimits: boolean },
  body: (target: RunTarget, signal: AbortSignal, say: (line: string) => void) => Promise<Printer>,
): Promise<void> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    say('stopping (signal received; again to quit at once)...');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let target: RunTarget | undefined;
  let print: Printer | undefined;
  try {
    const choice = targetChoice(flags, opts.needsSecret);
    if (choice.kind === 'command') say(`starting ${choice.label}...`);
    target = await openTarget(choice, { relaxLimits: opts.relaxLimits });
    print = await body(target, abort.signal, say);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(oneLine(err));
  } finally {
    // Close first (restore limits, stop the server) so the output can say what was restored.
    const closeNotes = target ? await target.close() : [];
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (print) await print(closeNotes);
    else for (const note of closeNotes) say(note);
  }
}

/** Prints (and writes) a run's result once the target is closed, given the notes closing it produced. */
export type Printer = (closeNotes: string[]) => void | Promise<void>;

/** `--out <dir>`: where chaos and load runs write report.json, junit.xml, summary.md and report.html. */
export const OUT_OPTION = ['--out <dir>', 'also write report.json, junit.xml, summary.md and report.html here'] as const;

/** Writes the run's report when --out was given, and says where. */
export async function writeRunReport(out: string | undefined, report: () => Promise<Report>, say: (line: string) => void): Promise<void> {
  if (!out) return;
  const { writeReports } = await import('../reports/write.ts');
  const paths = await writeReports(await report(), out);
  say(`report: ${paths.html} (and ${paths.json}, ${paths.junit}, ${paths.markdown})`);
}

/** The message of any error, on one line (no stack). */
export function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 500);
}

export function registerLoad(program: Command): void {
  const load = program
    .command('load')
    .description('measure a chat server under load: realtime (Socket.IO messages, the default) or http (autocannon)');

  withTargetOptions(
    load
      .command('realtime', { isDefault: true })
      .description('N clients on one channel send messages; prints acked msgs/s, ack and fan-out latency, errors by code; verifies every acked message is stored exactly once (exit 1 if not)')
      .option('--clients <n>', `clients (${BOUNDS.clients.min}-${BOUNDS.clients.max})`, '50')
      .option('--duration <s>', `seconds of sending (${BOUNDS.durationS.min}-${BOUNDS.durationS.max})`, '10')
      .option('--rate <n>', 'messages per client per second (default: closed loop, next send when the last is answered)')
      .option('--max-messages <n>', `stop after this many sends (${BOUNDS.maxMessages.min}-${BOUNDS.maxMessages.max})`, '100000')
      .option(...OUT_OPTION),
  ).action(async (flags: CommonFlags & { clients: string; rate?: string; maxMessages: string; out?: string }) => {
    const clients = numberFlagOrUsage('--clients', flags.clients, BOUNDS.clients);
    const durationS = numberFlagOrUsage('--duration', flags.duration, BOUNDS.durationS);
    const rate = flags.rate === undefined ? undefined : numberFlagOrUsage('--rate', flags.rate, BOUNDS.rate, true);
    const maxMessages = numberFlagOrUsage('--max-messages', flags.maxMessages, BOUNDS.maxMessages);
    await withTarget(flags, { needsSecret: true, relaxLimits: true }, async (target, signal, say) => {
      const { runRealtimeLoad } = await import('../load/realtime-run.ts');
      const { formatRealtime } = await import('../load/report-format.ts');
      const startedAt = new Date().toISOString();
      const result = await runRealtimeLoad({ url: target.url, jwtSecret: target.jwtSecret! }, { clients, durationS, rate, maxMessages, signal, say });
      const { EXIT_STATUS } = await import('../reports/verdicts.ts');
      process.exitCode = EXIT_STATUS[result.history.exactlyOnce ? 'pass' : 'fail'];
      const url = target.url;
      const startedByHarness = target.process !== undefined;
      return async (closeNotes) => {
        const notes = [...target.notes, ...closeNotes];
        process.stdout.write(flags.json ? `${JSON.stringify({ ...result, target: url, notes })}\n` : `${formatRealtime(result, notes)}\n`);
        const { loadReport } = await import('../load/report.ts');
        await writeRunReport(flags.out, async () => loadReport({ result, url, startedByHarness, startedAt, notes }), say);
      };
    });
  });

  withTargetOptions(
    load
      .command('http')
      .description('GET an endpoint with autocannon; prints req/s, latency p50/p97.5/p99, errors and non-2xx')
      .option('--duration <s>', `seconds (${BOUNDS.durationS.min}-${BOUNDS.durationS.max})`, '10')
      .option('--connections <n>', `concurrent connections (${BOUNDS.connections.min}-${BOUNDS.connections.max})`, '10')
      .option('--path <path>', 'path to GET', '/health/socket')
      .option('--max-requests <n>', `stop after this many requests (${BOUNDS.maxRequests.min}-${BOUNDS.maxRequests.max})`, '1000000'),
  ).action(async (flags: CommonFlags & { connections: string; path: string; maxRequests: string }) => {
    const durationS = numberFlagOrUsage('--duration', flags.duration, BOUNDS.durationS);
    const connections = numberFlagOrUsage('--connections', flags.connections, BOUNDS.connections);
    const maxRequests = numberFlagOrUsage('--max-requests', flags.maxRequests, BOUNDS.maxRequests);
    if (!flags.path.startsWith('/')) throw new UsageError(`--path must start with "/", got "${flags.path}"`);
    await withTarget(flags, { needsSecret: false, relaxLimits: false }, async (target, signal, say) => {
      say(`GET ${flags.path} for ${durationS} s with ${connections} connections...`);
      const { runHttpLoad } = await import('../load/http-run.ts');
      const { formatHttp } = await import('../load/report-format.ts');
      const result = await runHttpLoad({ url: target.url, path: flags.path, durationS, connections, maxRequests }, signal);
      const url = target.url;
      return (closeNotes) => {
        const notes = [...target.notes, ...closeNotes];
        process.stdout.write(flags.json ? `${JSON.stringify({ ...result, target: url, notes })}\n` : `${formatHttp(result, notes)}\n`);
      };
    });
  });
}

/** numberFlag with its error as a UsageError. */
export function numberFlagOrUsage(name: string, raw: string | undefined, bound: { min: number; max: number }, fractional = false): number {
  try {
    return numberFlag(name, raw, Number.NaN, bound, fractional);
  } catch (err) {
    throw new UsageError(oneLine(err));
  }
}
