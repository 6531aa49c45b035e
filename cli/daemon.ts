import type { Command } from 'commander';
import { loadSupervisorConfig, SupervisorConfigError, type SupervisorConfig } from '../supervisor/config.ts';
import { formatStatus, readStatus, REFERENCE_SERVER_COMMAND, startDetached, statusExitCode, statusJson, stopDaemon } from '../supervisor/daemon-control.ts';
import { EXIT } from '../supervisor/exit-codes.ts';
import { createSupervisorLogger } from '../supervisor/logger.ts';
import { statePaths } from '../supervisor/state-dir.ts';
import { runSupervisor, type SupervisorNotice } from '../supervisor/supervisor.ts';
import { UsageError } from './usage-error.ts';

interface StartOptions {
  foreground?: boolean;
  healthUrl?: string;
  wait?: string;
}

function config(): SupervisorConfig {
  try {
    return loadSupervisorConfig();
  } catch (err) {
    if (err instanceof SupervisorConfigError) throw new UsageError(err.message);
    throw err;
  }
}

function checkOptions(opts: StartOptions, cfg: SupervisorConfig): { healthUrl?: string; waitMs: number } {
  if (opts.healthUrl !== undefined && !(URL.canParse(opts.healthUrl) && ['http:', 'https:'].includes(new URL(opts.healthUrl).protocol))) {
    throw new UsageError(`--health-url takes an http URL such as http://127.0.0.1:8080/health/socket, got "${opts.healthUrl}"`);
  }
  let waitMs = cfg.startupTimeoutMs + 10_000;
  if (opts.wait !== undefined) {
    const s = Number(opts.wait);
    if (!Number.isFinite(s) || s <= 0) throw new UsageError(`--wait takes a number of seconds above 0, got "${opts.wait}"`);
    waitMs = s * 1000;
  }
  return { healthUrl: opts.healthUrl, waitMs };
}

const print = (line: string) => process.stdout.write(`${line}\n`);
const printErr = (line: string) => process.stderr.write(`${line}\n`);

/** The supervisor attached to this process: for systemd Type=simple, containers, and the detached child. */
async function runForeground(cfg: SupervisorConfig, serverCommand: readonly string[], healthUrl: string | undefined): Promise<number> {
  const paths = statePaths(cfg.stateDir);
  // Launched by `daemon start`, stdout goes nowhere; attached, it is the journal's or the container's.
  const log = createSupervisorLogger(cfg.logLevel, paths.supervisorLog, !process.connected);
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => {
      log.info({ signal }, 'stop requested');
      stop.abort();
    });
  }
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'supervisor crashed; its server is left running for the next start to stop');
    process.exit(EXIT.FAILED);
  });
  const notify = process.send
    ? (notice: SupervisorNotice) => {
        if (process.connected) process.send!(notice, () => process.connected && process.disconnect());
      }
    : undefined;
  log.info({ serverCommand, stateDir: cfg.stateDir, healthUrl }, 'supervisor starting');
  return runSupervisor({ config: cfg, serverCommand, healthUrl, cwd: process.cwd(), logger: log, notify, stopSignal: stop.signal });
}

export function registerDaemon(program: Command): void {
  const daemon = program
    .command('daemon')
    .description('run the reference server (or another server command) under the supervisor; configured by SOCKETIO_* variables');

  const startLike = (name: string, description: string) =>
    daemon
      .command(name)
      .description(description)
      .argument('[server...]', 'server command to supervise instead of the reference server, after --')
      .option('--foreground', 'run the supervisor attached to this terminal (systemd Type=simple, containers)')
      .option('--health-url <url>', 'fixed health URL, for a server that does not write SOCKPROOF_PORT_FILE')
      .option('--wait <seconds>', 'how long start waits for the server to be healthy (default: SOCKETIO_STARTUP_TIMEOUT + 10)');

  const start = async (server: string[], opts: StartOptions): Promise<number> => {
    const cfg = config();
    const { healthUrl, waitMs } = checkOptions(opts, cfg);
    const serverCommand = server.length > 0 ? server : REFERENCE_SERVER_COMMAND;
    if (opts.foreground) return runForeground(cfg, serverCommand, healthUrl);
    return startDetached({ config: cfg, serverCommand: server, healthUrl, waitMs, cwd: process.cwd() }, print, printErr);
  };

  startLike('start', 'start the supervisor (detached unless --foreground), which starts and watches the server').action(async (server: string[], opts: StartOptions) => {
    process.exit(await start(server, opts));
  });

  startLike('restart', 'stop the supervisor and its server, then start both with clean state').action(async (server: string[], opts: StartOptions) => {
    const cfg = config();
    checkOptions(opts, cfg);
    await stopDaemon(cfg, print);
    process.exit(await start(server, opts));
  });

  daemon
    .command('stop')
    .description('stop the supervisor and its server (SIGTERM, then SIGKILL after SOCKETIO_SHUTDOWN_TIMEOUT)')
    .action(async () => {
      process.exit(await stopDaemon(config(), print));
    });

  daemon
    .command('status')
    .description('state, pids, port, uptime, restarts, last failure and health; exit 0 healthy, 1 failed, 3 not running, 5 not healthy')
    .option('--json', "print the metrics file's fields plus supervisorPid, serverPid and port")
    .action(async (opts: { json?: boolean }) => {
      const report = await readStatus(config());
      if (opts.json) print(JSON.stringify(statusJson(report), null, 2));
      else formatStatus(report).forEach(print);
      process.exit(statusExitCode(report));
    });
}
