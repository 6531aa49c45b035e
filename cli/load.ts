import type { Command } from 'commander';
import { BOUNDS } from '../testbed/run-bounds.ts';
import type { TargetFlags } from '../testbed/targets/target-flags.ts';
import { numberFlagOrUsage, OUT_OPTION, withTarget, withTargetOptions, writeRunReport } from './run-options.ts';
import { UsageError } from './usage-error.ts';
import { CONFIG_OPTION, configuredTarget, refuseShortOfTokens } from './config-option.ts';

/** What a realtime run may take after its sending: connecting, the final read, the members catching up. */
const RUN_AFTER_SENDING_S = 60;
import type { RealtimeResult } from '../load/realtime-run.ts';
import type { RecordingOverhead } from '../load/recording-overhead.ts';

interface CommonFlags extends TargetFlags {
  duration?: string;
  json?: boolean;
  config?: string;
}

export function registerLoad(program: Command): void {
  const load = program
    .command('load')
    .description('measure a chat server under load: realtime (Socket.IO messages, the default) or http (autocannon)');

  withTargetOptions(
    load
      .command('realtime', { isDefault: true })
      .description('N clients on one channel send messages; prints acked msgs/s, ack and fan-out latency, errors by code; records the history and judges it with the history checkers (exit 1 unless every acked message is stored exactly once and every checker is valid)')
      .option('--clients <n>', `clients (${BOUNDS.clients.min}-${BOUNDS.clients.max})`, '50')
      .option('--duration <s>', `seconds of sending (${BOUNDS.durationS.min}-${BOUNDS.durationS.max})`, '10')
      .option('--rate <n>', 'messages per client per second (default: closed loop, next send when the last is answered)')
      .option('--max-messages <n>', `stop after this many sends (${BOUNDS.maxMessages.min}-${BOUNDS.maxMessages.max})`, '100000')
      .option('--no-record', 'do not record the history nor run its checkers: the figures and the exactly-once check only')
      .option('--recording-overhead', 'after a 2 s warm-up, run the workload 4 times (unrecorded, recorded, recorded, unrecorded) and print what recording costs, as ratios')
      .option(...CONFIG_OPTION)
      .option(...OUT_OPTION),
  ).action(async (flags: CommonFlags & { clients: string; rate?: string; maxMessages: string; out?: string; record: boolean; recordingOverhead?: boolean }) => {
    if (flags.recordingOverhead && !flags.record) throw new UsageError('--recording-overhead compares recorded and unrecorded runs: leave out --no-record');
    const clients = numberFlagOrUsage('--clients', flags.clients, BOUNDS.clients);
    const durationS = numberFlagOrUsage('--duration', flags.duration, BOUNDS.durationS);
    const rate = flags.rate === undefined ? undefined : numberFlagOrUsage('--rate', flags.rate, BOUNDS.rate, true);
    const maxMessages = numberFlagOrUsage('--max-messages', flags.maxMessages, BOUNDS.maxMessages);
    const configured = await configuredTarget(flags);
    if (configured && 'rerunExit' in configured) return void (process.exitCode = configured.rerunExit);
    if (configured) {
      // Each client and the history reader is a distinct user; the whole run may last its --duration and the reads after it.
      const runS = durationS * (flags.recordingOverhead ? 5 : 1) + RUN_AFTER_SENDING_S;
      refuseShortOfTokens(configured.config, { users: clients + 1, why: `${clients} clients and the history reader` }, runS, '--duration');
    }
    await withTarget(flags, { needsSecret: true, relaxLimits: true, ...configured?.run }, async (target, signal, say) => {
      const { runRealtimeLoad } = await import('../load/realtime-run.ts');
      const { formatOverhead, formatRealtime } = await import('../load/report-format.ts');
      const startedAt = new Date().toISOString();
      const access = target.access();
      const runOpts = { clients, durationS, rate, maxMessages, signal, say, record: flags.record };
      let result: RealtimeResult;
      let overhead: RecordingOverhead | undefined;
      let passed: boolean;
      const { realtimePassed } = await import('../load/report.ts');
      if (flags.recordingOverhead) {
        const { measureRecordingOverhead } = await import('../load/recording-overhead.ts');
        const measured = await measureRecordingOverhead(access, runOpts);
        overhead = measured.overhead;
        // The last recorded phase is the one printed and reported; every phase must pass.
        result = measured.results.findLast((r) => r.config.recorded) ?? measured.results.at(-1)!;
        passed = measured.results.every(realtimePassed);
      } else {
        result = await runRealtimeLoad(access, runOpts);
        passed = realtimePassed(result);
      }
      const { EXIT_STATUS } = await import('../reports/verdicts.ts');
      // An invalid checker fails the run, and so does an unknown one: unknown is never a pass.
      process.exitCode = EXIT_STATUS[passed ? 'pass' : 'fail'];
      const url = target.url;
      const startedByHarness = target.process !== undefined;
      return async (closeNotes) => {
        const notes = [...target.notes, ...closeNotes];
        const { recorded: _history, ...printed } = result;
        process.stdout.write(
          flags.json
            ? `${JSON.stringify({ ...printed, ...(overhead ? { recordingOverhead: overhead } : {}), target: url, notes })}\n`
            : `${formatRealtime(result, notes)}\n${overhead ? `${formatOverhead(overhead)}\n` : ''}`,
        );
        const { loadReport, loadTimelines } = await import('../load/report.ts');
        await writeRunReport(flags.out, async () => loadReport({ result, url, startedByHarness, startedAt, notes }), say, () => loadTimelines(result));
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
      .option('--max-requests <n>', `stop after this many requests (${BOUNDS.maxRequests.min}-${BOUNDS.maxRequests.max})`, '1000000')
      .option(...CONFIG_OPTION),
  ).action(async (flags: CommonFlags & { connections: string; path: string; maxRequests: string }) => {
    const durationS = numberFlagOrUsage('--duration', flags.duration, BOUNDS.durationS);
    const connections = numberFlagOrUsage('--connections', flags.connections, BOUNDS.connections);
    const maxRequests = numberFlagOrUsage('--max-requests', flags.maxRequests, BOUNDS.maxRequests);
    if (!flags.path.startsWith('/')) throw new UsageError(`--path must start with "/", got "${flags.path}"`);
    const configured = await configuredTarget(flags);
    if (configured && 'rerunExit' in configured) return void (process.exitCode = configured.rerunExit);
    await withTarget(flags, { needsSecret: false, relaxLimits: false, ...configured?.run }, async (target, signal, say) => {
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
