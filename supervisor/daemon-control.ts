import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HTTP_PATHS } from '../spec/http.ts';
import type { SupervisorConfig } from './config.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import { checkHealth, type HealthResult } from './health.ts';
import { readMetricsFile, type MetricsFile, type SupervisorStatus } from './metrics-file.ts';
import { livePid, removeFile } from './pid-lock.ts';
import { healthUrlFor, readPortFile } from './port-file.ts';
import { hasEnvMarker, isAlive, processStartedAtMs } from './proc-identity.ts';
import { pollExit, stopGroup } from './process-group.ts';
import { statePaths, SUPERVISED_BY_ENV } from './state-dir.ts';
import type { SupervisorNotice } from './supervisor.ts';

/** The sockproof launcher; the supervisor's detached child and the default server run through it. */
export const LAUNCHER = fileURLToPath(new URL('../bin/sockproof.mjs', import.meta.url));

/** The reference server, supervised when no `-- CMD…` is given. */
export const REFERENCE_SERVER_COMMAND: readonly string[] = [process.execPath, LAUNCHER, 'serve'];

export interface StartRequest {
  config: SupervisorConfig;
  /** A server command given after `--`; empty for the reference server. */
  serverCommand: readonly string[];
  healthUrl?: string;
  /** How long `start` waits for the server to become healthy before it reports. */
  waitMs: number;
  cwd: string;
}

type Print = (line: string) => void;

/**
 * `daemon start`: launches `daemon start --foreground` detached (own session, output to the
 * supervisor log) and waits, over an IPC channel, until it reports the server healthy, gives
 * up, or finds another supervisor. The channel is then dropped so that the child runs on alone.
 */
export async function startDetached(req: StartRequest, print: Print, printErr: Print): Promise<ExitCode> {
  const paths = statePaths(req.config.stateDir);
  const running = livePid(paths.lock);
  if (running !== undefined) {
    printErr(`sockproof: a supervisor is already running from ${paths.dir} (pid ${running}); use "daemon stop" or "daemon restart"`);
    return EXIT.ALREADY_RUNNING;
  }
  mkdirSync(paths.dir, { recursive: true });
  const logFd = openSync(paths.supervisorLog, 'a');
  const args = [LAUNCHER, 'daemon', 'start', '--foreground'];
  if (req.healthUrl) args.push('--health-url', req.healthUrl);
  if (req.serverCommand.length > 0) args.push('--', ...req.serverCommand);
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', 'ignore', logFd, 'ipc'],
    cwd: req.cwd,
    env: { ...process.env, SOCKPROOF_STATE_DIR: req.config.stateDir },
  });
  closeSync(logFd);

  type Outcome = { kind: 'notice'; notice: SupervisorNotice } | { kind: 'exit'; code: number | null; signal: string | null } | { kind: 'timeout' };
  const outcome = await new Promise<Outcome>((resolve) => {
    const timer = setTimeout(() => resolve({ kind: 'timeout' }), req.waitMs);
    child.once('message', (notice) => (clearTimeout(timer), resolve({ kind: 'notice', notice: notice as SupervisorNotice })));
    child.once('exit', (code, signal) => (clearTimeout(timer), resolve({ kind: 'exit', code, signal })));
    child.once('error', () => (clearTimeout(timer), resolve({ kind: 'exit', code: null, signal: null })));
  });
  const detach = () => {
    if (child.connected) child.disconnect();
    child.unref();
  };

  switch (outcome.kind) {
    case 'notice': {
      const n = outcome.notice;
      detach();
      if (n.type === 'healthy') {
        print(`started: supervisor pid ${n.supervisorPid}, server pid ${n.serverPid}${n.port !== null ? `, port ${n.port}` : ''}`);
        return EXIT.OK;
      }
      if (n.type === 'locked') {
        printErr(`sockproof: a supervisor is already running from ${paths.dir} (pid ${n.ownerPid})`);
        return EXIT.ALREADY_RUNNING;
      }
      printErr(`sockproof: server failed: ${n.reason} (see ${paths.serverLog})`);
      return EXIT.FAILED;
    }
    case 'exit':
      printErr(`sockproof: the supervisor exited (${outcome.signal ?? `code ${outcome.code}`}) before the server was healthy; see ${paths.supervisorLog}`);
      return outcome.code === EXIT.ALREADY_RUNNING ? EXIT.ALREADY_RUNNING : outcome.code === EXIT.USAGE ? EXIT.USAGE : EXIT.FAILED;
    case 'timeout':
      detach();
      printErr(`sockproof: supervisor running (pid ${child.pid}) but the server is not healthy after ${req.waitMs / 1000}s; it keeps trying, see "daemon status"`);
      return EXIT.FAILED;
  }
}

/**
 * `daemon stop`: SIGTERM to the supervisor, which stops its server (SIGTERM to the group,
 * SIGKILL after the shutdown timeout) and cleans up. If the supervisor does not go in time,
 * or is already dead, this does its job: kill it and stop the server left behind.
 */
export async function stopDaemon(config: SupervisorConfig, print: Print): Promise<ExitCode> {
  const paths = statePaths(config.stateDir);
  const supervisorPid = livePid(paths.lock) ?? livePid(paths.supervisorPid);
  let stoppedSomething = false;
  if (supervisorPid !== undefined) {
    stoppedSomething = true;
    process.kill(supervisorPid, 'SIGTERM');
    const gone = await waitUntil(() => !isAlive(supervisorPid), config.shutdownTimeoutMs + 10_000);
    if (!gone) {
      print(`supervisor pid ${supervisorPid} did not stop in time; killing it`);
      try {
        process.kill(supervisorPid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
      await waitUntil(() => !isAlive(supervisorPid), 5_000);
    }
  }
  // A server left behind (its supervisor was SIGKILLed): only if the pid is still that process.
  const serverPid = livePid(paths.serverPid);
  if (serverPid !== undefined && hasEnvMarker(serverPid, SUPERVISED_BY_ENV, paths.dir) !== false) {
    stoppedSomething = true;
    await stopGroup({ pid: serverPid, exited: pollExit(serverPid) }, config.shutdownTimeoutMs);
  }
  // Whatever is left now is stale.
  for (const file of [paths.serverPid, paths.portFile]) removeFile(file);
  if (livePid(paths.supervisorPid) === undefined) removeFile(paths.supervisorPid);
  if (livePid(paths.lock) === undefined) removeFile(paths.lock);
  print(stoppedSomething ? 'stopped' : 'not running');
  return EXIT.OK;
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (done()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return done();
}

export interface StatusReport {
  status: SupervisorStatus;
  supervisorPid: number | null;
  serverPid: number | null;
  port: number | null;
  metrics: MetricsFile | null;
  health: HealthResult | null;
  /** Live, from the process's start time (the metrics file's figure is as of its last write). */
  serverUptimeSeconds: number | null;
  note: string | null;
}

/** `daemon status`: what the pid files, the port file and the metrics file say, plus a live health check. */
export async function readStatus(config: SupervisorConfig): Promise<StatusReport> {
  const paths = statePaths(config.stateDir);
  const supervisorPid = livePid(paths.lock) ?? livePid(paths.supervisorPid) ?? null;
  const serverPid = livePid(paths.serverPid) ?? null;
  const port = serverPid !== null ? (readPortFile(paths.portFile) ?? null) : null;
  const read = config.metricsFile ? readMetricsFile(config.metricsFile) : undefined;
  const metrics = read?.ok ? read.metrics : null;
  const health = port !== null ? await checkHealth(healthUrlFor(process.env.HOST, port, HTTP_PATHS.health), config.healthTimeoutMs) : null;
  // Without a metrics file (SOCKETIO_METRICS_ENABLED=false) the state is judged from the live check.
  const judged: SupervisorStatus = supervisorPid === null ? 'stopped' : serverPid === null ? 'restarting' : health?.ok ? 'healthy' : 'unhealthy';
  let status: SupervisorStatus = metrics?.status ?? judged;
  let note: string | null = null;
  if (supervisorPid === null && status !== 'failed' && status !== 'stopped') {
    note = `the supervisor is not running and did not stop cleanly (last recorded status: ${status})`;
    status = 'stopped';
  }
  const startedAt = serverPid !== null ? processStartedAtMs(serverPid) : undefined;
  const serverUptimeSeconds = startedAt !== undefined ? Math.max(0, Math.round((Date.now() - startedAt) / 1000)) : (metrics?.uptime_seconds ?? null);
  return { status, supervisorPid, serverPid, port, metrics, health, serverUptimeSeconds, note };
}

export function statusExitCode(report: StatusReport): ExitCode {
  if (report.supervisorPid === null) return report.status === 'failed' ? EXIT.FAILED : EXIT.NOT_RUNNING;
  return report.status === 'healthy' ? EXIT.OK : EXIT.NOT_HEALTHY;
}

/** `status --json`: the metrics file's fields plus the pids and the port. */
export function statusJson(report: StatusReport): Record<string, unknown> {
  return { ...report.metrics, status: report.status, supervisorPid: report.supervisorPid, serverPid: report.serverPid, port: report.port };
}

export function formatStatus(report: StatusReport): string[] {
  const m = report.metrics;
  const lines = [`status:       ${report.status}${m?.status_reason && report.status === m.status ? ` (${m.status_reason})` : ''}`];
  if (report.note) lines.push(`note:         ${report.note}`);
  lines.push(`supervisor:   ${report.supervisorPid !== null ? `pid ${report.supervisorPid}` : 'not running'}`);
  lines.push(
    `server:       ${report.serverPid !== null ? `pid ${report.serverPid}` : 'not running'}${report.port !== null ? `, port ${report.port}` : ''}${
      report.serverUptimeSeconds !== null ? `, up ${report.serverUptimeSeconds}s` : ''
    }`,
  );
  if (report.health) lines.push(`health:       ${report.health.ok ? `ok (HTTP ${report.health.status})` : `failing (${report.health.error})`}`);
  if (m) {
    lines.push(`started:      ${m.start_time}`);
    lines.push(`restarts:     ${m.restarts} (failures ${m.total_failures})`);
    lines.push(`checks:       ${m.health_checks_passed} passed, ${m.health_checks_failed} failed; last ${m.last_health_check ?? 'never'}`);
    const f = m.last_failure;
    if (f) {
      const how = f.signal ? `signal ${f.signal}` : f.exit_code !== null ? `exit code ${f.exit_code}` : f.reason;
      lines.push(`last failure: ${f.at} ${how}: ${f.message}`);
      for (const l of f.stderr_tail) lines.push(`  | ${l}`);
    }
  } else {
    lines.push('metrics:      none (SOCKETIO_METRICS_ENABLED=false or no metrics file yet)');
  }
  return lines;
}
