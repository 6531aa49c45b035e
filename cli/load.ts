import type { Command } from 'commander';
import { BOUNDS } from '../testbed/run-bounds.ts';
import type { TargetFlags } from '../testbed/targets/target-flags.ts';
import { numberFlagOrUsage, OUT_OPTION, withTarget, withTargetOptions, writeRunReport } from './run-options.ts';
import { UsageError } from './usage-error.ts';

interface CommonFlags extends TargetFlags {
  duration?: string;
  json?: boolean;
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
      const result = await runRealtimeLoad(target.access(), { clients, durationS, rate, maxMessages, signal, say });
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
