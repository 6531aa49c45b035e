import { closeSync, mkdirSync, openSync } from 'node:fs';
import type { Logger } from 'pino';
import { HTTP_PATHS } from '../spec/http.ts';
import { decideRestart, isStable } from './backoff.ts';
import type { SupervisorConfig } from './config.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import { checkHealth } from './health.ts';
import { initialMetrics, writeMetricsFile, type FailureRecord, type MetricsFile, type SupervisorStatus } from './metrics-file.ts';
import { acquireLock, readPidFile, releaseLock, removeFile, removePidFileIfOwned, writePidFile } from './pid-lock.ts';
import { healthUrlFor, readPortFile } from './port-file.ts';
import { hasEnvMarker, isAlive, isSameProcess, pidsWithEnvMarker } from './proc-identity.ts';
import { pollExit, spawnGroupLeader, stopGroup, type ExitInfo, type GroupLeader } from './process-group.ts';
import { logSize, tailSince } from './server-output.ts';
import { statePaths, SUPERVISED_BY_ENV } from './state-dir.ts';

/** What the supervisor tells the `daemon start` that launched it (over IPC), once. */
export type SupervisorNotice =
  | { type: 'healthy'; supervisorPid: number; serverPid: number; port: number | null }
  | { type: 'failed'; reason: string }
  | { type: 'locked'; ownerPid: number };

export interface SupervisorOptions {
  config: SupervisorConfig;
  /** argv of the server; spawned without a shell. */
  serverCommand: readonly string[];
  /** A fixed health URL, for servers that do not write SOCKPROOF_PORT_FILE. */
  healthUrl?: string;
  cwd: string;
  logger: Logger;
  notify?: (notice: SupervisorNotice) => void;
  /** Resolves when the supervisor should stop (SIGTERM, SIGINT). */
  stopSignal: AbortSignal;
  random?: () => number;
}

type Outcome<T> = { kind: 'value'; value: T } | { kind: 'exit'; exit: ExitInfo } | { kind: 'stop' };

/**
 * A server's exit as an AbortSignal: each wait listens to it and then stops listening. (A
 * promise's handlers cannot be removed, so racing the exit promise itself on every health
 * check would pile up handlers for as long as the server lives.)
 */
interface ExitWatch {
  gone: AbortSignal;
  exit: ExitInfo | undefined;
}
function watchExit(exited: Promise<ExitInfo>): ExitWatch {
  const controller = new AbortController();
  const watch: ExitWatch = { gone: controller.signal, exit: undefined };
  void exited.then((exit) => {
    watch.exit = exit;
    controller.abort();
  });
  return watch;
}

/** How long a refused health check waits for a pending exit of the server before it counts. */
const EXIT_SETTLE_MS = 250;

/** Waits for `work`, the server's exit or a stop request, whichever comes first; then cancels `work`. */
function race<T>(work: (signal: AbortSignal) => Promise<T>, server: ExitWatch | undefined, stop: AbortSignal): Promise<Outcome<T>> {
  if (stop.aborted) return Promise.resolve({ kind: 'stop' });
  if (server?.exit) return Promise.resolve({ kind: 'exit', exit: server.exit });
  return new Promise((resolve, reject) => {
    const local = new AbortController();
    let settled = false;
    const finish = (outcome: Outcome<T> | Error) => {
      if (settled) return;
      settled = true;
      stop.removeEventListener('abort', onStop);
      server?.gone.removeEventListener('abort', onGone);
      local.abort();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const onStop = () => finish({ kind: 'stop' });
    const onGone = () => finish({ kind: 'exit', exit: server!.exit! });
    stop.addEventListener('abort', onStop);
    server?.gone.addEventListener('abort', onGone);
    work(local.signal).then(
      (value) => finish({ kind: 'value', value }),
      (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
    );
  });
}

const pause = (ms: number) => (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

function describeExit(exit: ExitInfo): string {
  if (exit.spawnError) return `could not be started: ${exit.spawnError}`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/**
 * Runs the supervisor in this process until it is asked to stop (exit 0) or gives up (exit 1).
 * One server at a time: start it, wait for its health URL, check it every interval, and on an
 * unexpected exit or too many failed checks stop what is left of it and start it again after a
 * jittered backoff, within the retry budget.
 */
export async function runSupervisor(opts: SupervisorOptions): Promise<ExitCode> {
  const { config, logger: log, stopSignal } = opts;
  const paths = statePaths(config.stateDir);
  mkdirSync(paths.dir, { recursive: true });

  const lock = acquireLock(paths.lock);
  if (!lock.acquired) {
    log.error({ ownerPid: lock.ownerPid }, 'another supervisor is running from this state directory');
    opts.notify?.({ type: 'locked', ownerPid: lock.ownerPid });
    return EXIT.ALREADY_RUNNING;
  }
  if (lock.staleRemoved !== undefined) log.warn({ stalePid: lock.staleRemoved }, 'removed a stale lock');
  writePidFile(paths.supervisorPid, process.pid);

  await stopLeftoverServer(opts, log);
  removeFile(paths.portFile);

  const metrics: MetricsFile = initialMetrics(new Date());
  let current: GroupLeader | undefined;
  let serverStartedAt = 0;
  const saveMetrics = () => {
    if (!config.metricsFile) return;
    metrics.uptime_seconds = current ? Math.round((Date.now() - serverStartedAt) / 100) / 10 : 0;
    try {
      writeMetricsFile(config.metricsFile, metrics);
    } catch (err) {
      log.error({ err }, 'cannot write the metrics file');
    }
  };
  const setStatus = (status: SupervisorStatus, reason: string | null = null) => {
    if (metrics.status !== status) log.info({ status, reason }, `status ${status}`);
    metrics.status = status;
    metrics.status_reason = reason;
    saveMetrics();
  };
  saveMetrics();

  const serverEnv: NodeJS.ProcessEnv = {
    ...process.env,
    SOCKPROOF_PORT_FILE: paths.portFile,
    SOCKETIO_PORT_START: String(config.portStart),
    SOCKETIO_PORT_END: String(config.portEnd),
    SOCKETIO_SHUTDOWN_TIMEOUT: String(config.shutdownTimeoutMs / 1000),
    [SUPERVISED_BY_ENV]: paths.dir,
  };
  const outputFd = openSync(paths.serverLog, 'a');
  let notified = false;
  const notifyOnce = (notice: SupervisorNotice) => {
    if (notified) return;
    notified = true;
    opts.notify?.(notice);
  };

  let failuresInARow = 0;
  let exitCode: ExitCode = EXIT.OK;

  try {
    while (!stopSignal.aborted) {
      removeFile(paths.portFile);
      const outputStart = logSize(paths.serverLog);
      const spawned = await spawnGroupLeader(opts.serverCommand, { env: serverEnv, cwd: opts.cwd, outputFd });
      let failure: Omit<FailureRecord, 'at' | 'stderr_tail'>;
      let permanent = false;

      if ('spawnError' in spawned) {
        failure = { reason: 'spawn-error', exit_code: null, signal: null, message: `server could not be started: ${spawned.spawnError}` };
        permanent = spawned.permanent;
      } else {
        current = spawned;
        serverStartedAt = Date.now();
        writePidFile(paths.serverPid, spawned.pid);
        log.info({ serverPid: spawned.pid, command: opts.serverCommand }, 'server started');
        saveMetrics();
        const started = await waitUntilHealthy(watchExit(spawned.exited));
        if (started.kind === 'stop') break;
        if (started.kind === 'failure') {
          failure = started.failure;
        } else {
          const { port, url } = started;
          metrics.health_checks_passed++;
          metrics.last_health_check = new Date().toISOString();
          log.info({ serverPid: spawned.pid, port, url, startedInMs: Date.now() - serverStartedAt }, 'server healthy');
          setStatus('healthy');
          notifyOnce({ type: 'healthy', supervisorPid: process.pid, serverPid: spawned.pid, port });
          const watched = await watchHealth(watchExit(spawned.exited), url);
          if (watched === 'stop') break;
          failure = watched;
        }
      }

      // The server failed: record why, make sure nothing of it is left, then decide.
      const record: FailureRecord = { ...failure, at: new Date().toISOString(), stderr_tail: tailSince(paths.serverLog, outputStart) };
      metrics.total_failures++;
      metrics.last_failure = record;
      log.error({ failure: record }, `server failed: ${record.message}`);
      if (current) {
        await stopGroup(current, config.shutdownTimeoutMs);
        removePidFileIfOwned(paths.serverPid, current.pid);
        current = undefined;
      }
      failuresInARow++;
      const decision = permanent ? ({ action: 'give-up' } as const) : decideRestart(config.backoff, failuresInARow, opts.random);
      if (decision.action === 'give-up') {
        const reason = permanent
          ? `gave up at once: ${record.message}`
          : `gave up after ${failuresInARow} failures in a row (SOCKETIO_MAX_RETRIES=${config.backoff.maxRetries}); last: ${record.message}`;
        log.error({ failuresInARow }, reason);
        setStatus('failed', reason);
        notifyOnce({ type: 'failed', reason });
        exitCode = EXIT.FAILED;
        break;
      }
      setStatus('restarting', record.message);
      log.warn({ attempt: decision.attempt + 1, delayMs: decision.delayMs, ceilingMs: decision.ceilingMs }, 'restarting server after backoff');
      const waited = await race(pause(decision.delayMs), undefined, stopSignal);
      if (waited.kind === 'stop') break;
      metrics.restarts++;
    }
  } finally {
    if (current) {
      log.info({ serverPid: current.pid }, 'stopping server');
      const { exit, forced } = await stopGroup(current, config.shutdownTimeoutMs);
      log.info({ exit, forced }, forced ? 'server killed after the shutdown timeout' : 'server stopped');
      removePidFileIfOwned(paths.serverPid, current.pid);
      current = undefined;
    }
    closeSync(outputFd);
    removeFile(paths.portFile);
    if (exitCode === EXIT.OK) setStatus('stopped', 'stopped on request');
    else saveMetrics();
    removePidFileIfOwned(paths.supervisorPid, process.pid);
    releaseLock(paths.lock);
    log.info({ exitCode }, 'supervisor exiting');
  }
  return exitCode;

  /** Start-up: the server counts as started once its health URL answers, within the start-up timeout. */
  async function waitUntilHealthy(
    server: ExitWatch,
  ): Promise<{ kind: 'healthy'; port: number | null; url: string } | { kind: 'failure'; failure: Omit<FailureRecord, 'at' | 'stderr_tail'> } | { kind: 'stop' }> {
    const deadline = Date.now() + config.startupTimeoutMs;
    let lastError: string | undefined;
    while (Date.now() < deadline) {
      const port = readPortFile(paths.portFile) ?? null;
      const url = opts.healthUrl ?? (port !== null ? healthUrlFor(process.env.HOST, port, HTTP_PATHS.health) : undefined);
      if (url) {
        const budget = Math.min(config.healthTimeoutMs, Math.max(1, deadline - Date.now()));
        const probe = await race(() => checkHealth(url, budget), server, stopSignal);
        if (probe.kind === 'stop') return { kind: 'stop' };
        if (probe.kind === 'exit') return startupExit(probe.exit);
        const result = probe.value;
        if (result.ok) return { kind: 'healthy', port, url };
        // A probe cut short by the start-up deadline that then timed out says nothing about the
        // server: keep what the last full check saw.
        const cutShort = result.timedOut && budget < config.healthTimeoutMs;
        if (!cutShort || lastError === undefined) lastError = result.error;
      }
      const waited = await race(pause(Math.min(100, Math.max(1, deadline - Date.now()))), server, stopSignal);
      if (waited.kind === 'stop') return { kind: 'stop' };
      if (waited.kind === 'exit') return startupExit(waited.exit);
    }
    const seen = lastError ? `last check: ${lastError}` : opts.healthUrl ? 'no answer' : 'it never reported a port in SOCKPROOF_PORT_FILE';
    return {
      kind: 'failure',
      failure: { reason: 'startup-timeout', exit_code: null, signal: null, message: `server not healthy within SOCKETIO_STARTUP_TIMEOUT=${config.startupTimeoutMs / 1000}s (${seen})` },
    };
  }

  function startupExit(exit: ExitInfo): { kind: 'failure'; failure: Omit<FailureRecord, 'at' | 'stderr_tail'> } {
    return { kind: 'failure', failure: { reason: 'startup-exit', exit_code: exit.code, signal: exit.signal, message: `server ${describeExit(exit)} before it became healthy` } };
  }

  /** After start-up: a check every interval; the unhealthy threshold of failures in a row, or an exit, ends it. */
  async function watchHealth(server: ExitWatch, url: string): Promise<Omit<FailureRecord, 'at' | 'stderr_tail'> | 'stop'> {
    const healthySince = Date.now();
    let failedInARow = 0;
    for (;;) {
      const waited = await race(pause(config.healthIntervalMs), server, stopSignal);
      if (waited.kind === 'stop') return 'stop';
      if (waited.kind === 'exit') return unexpectedExit(waited.exit);
      const probe = await race(() => checkHealth(url, config.healthTimeoutMs), server, stopSignal);
      if (probe.kind === 'stop') return 'stop';
      if (probe.kind === 'exit') return unexpectedExit(probe.exit);
      metrics.last_health_check = new Date().toISOString();
      const result = probe.value;
      if (result.ok) {
        metrics.health_checks_passed++;
        failedInARow = 0;
        if (failuresInARow > 0 && isStable(healthySince, Date.now(), config.backoff, config.healthIntervalMs)) {
          log.info({ forgiven: failuresInARow }, 'server stable again: backoff and retry budget reset');
          failuresInARow = 0;
        }
        if (metrics.status !== 'healthy') setStatus('healthy');
        else saveMetrics();
        continue;
      }
      // A server killed a moment ago refuses the probe before its exit is seen: that failure is the
      // exit. (A hung server times out instead, and is not kept waiting for.)
      if (!result.timedOut) {
        const settled = await race(pause(EXIT_SETTLE_MS), server, stopSignal);
        if (settled.kind === 'stop') return 'stop';
        if (settled.kind === 'exit') return unexpectedExit(settled.exit);
      }
      metrics.health_checks_failed++;
      failedInARow++;
      log.warn({ error: result.error, failedInARow, threshold: config.unhealthyThreshold }, 'health check failed');
      if (failedInARow >= config.unhealthyThreshold) {
        return {
          reason: 'unhealthy',
          exit_code: null,
          signal: null,
          message: `${failedInARow} health checks in a row failed (SOCKETIO_UNHEALTHY_THRESHOLD=${config.unhealthyThreshold}); last: ${result.error}`,
        };
      }
      setStatus('unhealthy', result.error);
    }
  }
}

function unexpectedExit(exit: ExitInfo): Omit<FailureRecord, 'at' | 'stderr_tail'> {
  return { reason: 'exit', exit_code: exit.code, signal: exit.signal, message: `server ${describeExit(exit)}` };
}

/**
 * A supervisor that was SIGKILLed leaves its server running. The new one cannot adopt it
 * (only a parent learns how a process exited), so it stops it cleanly, SIGTERM then SIGKILL
 * as usual, and then anything else still marked as supervised from this state directory.
 */
async function stopLeftoverServer(opts: SupervisorOptions, log: Logger): Promise<void> {
  const paths = statePaths(opts.config.stateDir);
  const entry = readPidFile(paths.serverPid);
  if (entry && isAlive(entry.pid)) {
    const ours = hasEnvMarker(entry.pid, SUPERVISED_BY_ENV, paths.dir) ?? isSameProcess(entry.pid, entry.writtenAtMs);
    if (ours) {
      log.warn({ serverPid: entry.pid }, 'found a server left by a supervisor that died; stopping it before starting afresh');
      const { forced } = await stopGroup({ pid: entry.pid, exited: pollExit(entry.pid) }, opts.config.shutdownTimeoutMs);
      log.info({ serverPid: entry.pid, forced }, 'left-over server stopped');
    } else {
      log.warn({ stalePid: entry.pid }, 'server pid file names another program (pid reused); ignoring it');
    }
  }
  removeFile(paths.serverPid);
  for (const pid of pidsWithEnvMarker(SUPERVISED_BY_ENV, paths.dir)) {
    log.warn({ pid }, 'killing a process left from an earlier server');
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
