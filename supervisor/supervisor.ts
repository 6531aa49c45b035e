import { closeSync, mkdirSync, openSync } from 'node:fs';
import type { Logger } from 'pino';
import type { SupervisorConfig } from './config.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import { watchHealth, type PeriodicCheck } from './health-watch.ts';
import { writeMetricsFile, type SupervisorStatus } from './metrics-file.ts';
import { acquireLock, readPidFile, releaseLock, removeFile, removePidFileIfOwned, writePidFile } from './pid-lock.ts';
import { hasEnvMarker, isAlive, isSameProcess, pidsWithEnvMarker } from './proc-identity.ts';
import { pollExit, spawnGroupLeader, stopGroup, type ExitInfo, type GroupLeader } from './process-group.ts';
import { logSize, tailSince } from './server-output.ts';
import { describeExit, waitUntilHealthy } from './startup.ts';
import { statePaths, SUPERVISED_BY_ENV, type StatePaths } from './state-dir.ts';
import { initialState, isTerminal, metricsAt, transition, type FailureCause, type LifecyclePolicy, type SupervisorEvent, type SupervisorState } from './state-machine.ts';
import { pause, race, watchExit } from './waits.ts';

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

/**
 * Runs the supervisor in this process until it is asked to stop (exit 0) or gives up (exit 1).
 * One server at a time: start it, wait for its health URL, check it every interval, and on an
 * unexpected exit or too many failed checks stop what is left of it and start it again after a
 * jittered backoff, within the retry budget. The decisions are the state machine's
 * (state-machine.ts); this function holds the lock and drives one phase after another.
 */
export async function runSupervisor(opts: SupervisorOptions): Promise<ExitCode> {
  const { config, logger: log } = opts;
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

  const record = new SupervisionRecord(config, log, opts.random);
  record.save();
  const server = new ServerSlot(opts, paths);
  const phases = new PhaseRunner(opts, paths, record, server);
  const exitCode = () => (record.state.phase.name === 'given-up' ? EXIT.FAILED : EXIT.OK);
  try {
    await phases.untilStoppedOrGivenUp();
  } finally {
    await phases.tearDown();
    removePidFileIfOwned(paths.supervisorPid, process.pid);
    releaseLock(paths.lock);
    log.info({ exitCode: exitCode() }, 'supervisor exiting');
  }
  return exitCode();
}

/**
 * The supervisor's state, in one object changed only by the state machine's transitions, and
 * the metrics file that reports it.
 */
class SupervisionRecord {
  state: SupervisorState = initialState(Date.now());
  private readonly policy: LifecyclePolicy;
  private reportedStatus: SupervisorStatus = this.state.report.status;

  constructor(
    private readonly config: SupervisorConfig,
    private readonly log: Logger,
    private readonly random: (() => number) | undefined,
  ) {
    this.policy = { backoff: config.backoff, healthIntervalMs: config.healthIntervalMs, unhealthyThreshold: config.unhealthyThreshold, restart: config.restart };
  }

  apply(event: SupervisorEvent): SupervisorState {
    this.state = transition(this.state, event, this.policy, this.random);
    return this.state;
  }

  /** Writes the metrics file (logging a change of status first). */
  save(): void {
    const { status, status_reason: reason } = this.state.report;
    if (status !== this.reportedStatus) this.log.info({ status, reason }, `status ${status}`);
    this.reportedStatus = status;
    if (!this.config.metricsFile) return;
    try {
      writeMetricsFile(this.config.metricsFile, metricsAt(this.state, Date.now()));
    } catch (err) {
      this.log.error({ err }, 'cannot write the metrics file');
    }
  }
}

/** The server process the supervisor runs now: starting it, its output, stopping it. I/O only. */
class ServerSlot {
  current: GroupLeader | undefined;
  /** The URL its start-up check answered on; checked from then on. */
  healthUrl: string | undefined;
  private outputStart = 0;
  private readonly outputFd: number;
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    private readonly opts: SupervisorOptions,
    private readonly paths: StatePaths,
  ) {
    const { config } = opts;
    this.env = {
      ...process.env,
      SOCKPROOF_PORT_FILE: paths.portFile,
      SOCKETIO_PORT_START: String(config.portStart),
      SOCKETIO_PORT_END: String(config.portEnd),
      SOCKETIO_SHUTDOWN_TIMEOUT: String(config.shutdownTimeoutMs / 1000),
      [SUPERVISED_BY_ENV]: paths.dir,
    };
    this.outputFd = openSync(paths.serverLog, 'a');
  }

  async spawn(): Promise<GroupLeader | { spawnError: string; permanent: boolean }> {
    removeFile(this.paths.portFile);
    this.outputStart = logSize(this.paths.serverLog);
    this.healthUrl = undefined;
    const spawned = await spawnGroupLeader(this.opts.serverCommand, { env: this.env, cwd: this.opts.cwd, outputFd: this.outputFd });
    if ('pid' in spawned) {
      this.current = spawned;
      writePidFile(this.paths.serverPid, spawned.pid);
    }
    return spawned;
  }

  /** The last lines the current (or last) server process wrote. */
  outputTail(): string[] {
    return tailSince(this.paths.serverLog, this.outputStart);
  }

  /** Stops the server's whole process group (SIGTERM, then SIGKILL after the shutdown timeout); undefined when none runs. */
  async stop(): Promise<Awaited<ReturnType<typeof stopGroup>> | undefined> {
    const leader = this.current;
    if (!leader) return undefined;
    const stopped = await stopGroup(leader, this.opts.config.shutdownTimeoutMs);
    removePidFileIfOwned(this.paths.serverPid, leader.pid);
    this.current = undefined;
    return stopped;
  }

  close(): void {
    closeSync(this.outputFd);
    removeFile(this.paths.portFile);
  }
}

/** Drives the phases: each step does the I/O its phase asks for and feeds what happened back as an event. */
class PhaseRunner {
  private notified = false;

  constructor(
    private readonly opts: SupervisorOptions,
    private readonly paths: StatePaths,
    private readonly record: SupervisionRecord,
    private readonly server: ServerSlot,
  ) {}

  private get log(): Logger {
    return this.opts.logger;
  }

  async untilStoppedOrGivenUp(): Promise<void> {
    for (;;) {
      const phase = this.record.state.phase;
      switch (phase.name) {
        case 'starting':
          await this.start();
          break;
        case 'healthy':
        case 'unhealthy':
          await this.watch();
          break;
        case 'cleaning-up':
          await this.clearFailedServer();
          break;
        case 'backing-off':
          await this.backOff(phase.delayMs);
          break;
        case 'stopping':
        case 'stopped':
        case 'given-up':
          return;
      }
    }
  }

  /** starting: start a server and wait until it answers its health URL. */
  private async start(): Promise<void> {
    const { config, stopSignal } = this.opts;
    if (stopSignal.aborted) return void this.record.apply({ type: 'stop-requested' });
    const spawned = await this.server.spawn();
    if ('spawnError' in spawned) {
      const cause: FailureCause = { reason: 'spawn-error', exit_code: null, signal: null, message: `server could not be started: ${spawned.spawnError}` };
      return this.fail({ cause, permanent: spawned.permanent });
    }
    const startedAtMs = Date.now();
    this.record.apply({ type: 'server-spawned', atMs: startedAtMs });
    this.log.info({ serverPid: spawned.pid, command: this.opts.serverCommand }, 'server started');
    this.record.save();
    const started = await waitUntilHealthy(watchExit(spawned.exited), {
      portFile: this.paths.portFile,
      healthUrl: this.opts.healthUrl,
      startupTimeoutMs: config.startupTimeoutMs,
      healthTimeoutMs: config.healthTimeoutMs,
      stop: stopSignal,
    });
    if (started.kind === 'stop') return void this.record.apply({ type: 'stop-requested' });
    if (started.kind === 'failure') return this.fail({ cause: started.cause, permanent: false });
    const { port, url } = started;
    this.server.healthUrl = url;
    this.record.apply({ type: 'server-healthy', atMs: Date.now() });
    this.log.info({ serverPid: spawned.pid, port, url, startedInMs: Date.now() - startedAtMs }, 'server healthy');
    this.record.save();
    this.notifyOnce({ type: 'healthy', supervisorPid: process.pid, serverPid: spawned.pid, port });
  }

  /** healthy / unhealthy: a check every interval until the server fails or a stop is requested. */
  private async watch(): Promise<void> {
    const { config, stopSignal } = this.opts;
    const leader = this.server.current!;
    const end = await watchHealth(watchExit(leader.exited), this.server.healthUrl!, { intervalMs: config.healthIntervalMs, timeoutMs: config.healthTimeoutMs, stop: stopSignal }, (check) =>
      this.onCheck(check),
    );
    if (end.kind === 'stop') this.record.apply({ type: 'stop-requested' });
    else if (end.kind === 'exit') this.fail({ cause: unexpectedExit(end.exit), permanent: false, refusedCheckAtMs: end.refusedCheckAtMs });
  }

  private onCheck(check: PeriodicCheck): 'continue' | 'done' {
    const before = this.record.state;
    if (check.kind === 'passed') {
      const after = this.record.apply({ type: 'check-passed', atMs: check.atMs });
      if (before.failuresInARow > 0 && after.failuresInARow === 0) this.log.info({ forgiven: before.failuresInARow }, 'server stable again: backoff and retry budget reset');
      this.record.save();
      return 'continue';
    }
    const after = this.record.apply({ type: 'check-failed', atMs: check.atMs, error: check.error, serverOutput: this.server.outputTail() });
    this.log.warn({ error: check.error, failedInARow: after.checksFailedInARow, threshold: this.opts.config.unhealthyThreshold }, 'health check failed');
    if (after.phase.name === 'cleaning-up') {
      this.logFailure();
      return 'done';
    }
    this.record.save();
    return 'continue';
  }

  /** The server failed by itself: record why (the phase becomes cleaning-up). */
  private fail(failure: { cause: FailureCause; permanent: boolean; refusedCheckAtMs?: number }): void {
    this.record.apply({ type: 'server-failed', atMs: Date.now(), serverOutput: this.server.outputTail(), ...failure });
    this.logFailure();
  }

  private logFailure(): void {
    const phase = this.record.state.phase;
    if (phase.name === 'cleaning-up' && phase.exitedCleanly) return void this.log.info({ restart: this.opts.config.restart }, `${phase.message}; not restarted`);
    const record = this.record.state.report.last_failure!;
    this.log.error({ failure: record }, `server failed: ${record.message}`);
  }

  /** cleaning-up: make sure nothing of the failed server is left, then restart or give up. */
  private async clearFailedServer(): Promise<void> {
    await this.server.stop();
    const next = this.record.apply({ type: 'server-stopped' });
    if (next.phase.name === 'stopped') this.record.save();
    else if (next.phase.name === 'given-up') {
      const { reason } = next.phase;
      this.log.error({ failuresInARow: next.failuresInARow }, reason);
      this.record.save();
      this.notifyOnce({ type: 'failed', reason });
    } else if (next.phase.name === 'backing-off') {
      const { attempt, delayMs, ceilingMs } = next.phase;
      this.record.save();
      this.log.warn({ attempt: attempt + 1, delayMs, ceilingMs }, 'restarting server after backoff');
    }
  }

  /** backing-off: wait out the delay, unless a stop comes first. */
  private async backOff(delayMs: number): Promise<void> {
    const waited = await race(pause(delayMs), undefined, this.opts.stopSignal);
    this.record.apply(waited.kind === 'stop' ? { type: 'stop-requested' } : { type: 'backoff-elapsed' });
  }

  /** Whatever ended the run (a stop, giving up, an error): stop the server, close files, report the end. */
  async tearDown(): Promise<void> {
    if (!isTerminal(this.record.state)) this.record.apply({ type: 'stop-requested' });
    const leader = this.server.current;
    if (leader) {
      this.log.info({ serverPid: leader.pid }, 'stopping server');
      const { exit, forced } = (await this.server.stop())!;
      this.log.info({ exit, forced }, forced ? 'server killed after the shutdown timeout' : 'server stopped');
    }
    this.record.apply({ type: 'server-stopped' });
    this.server.close();
    this.record.save();
  }

  private notifyOnce(notice: SupervisorNotice): void {
    if (this.notified) return;
    this.notified = true;
    this.opts.notify?.(notice);
  }
}

function unexpectedExit(exit: ExitInfo): FailureCause {
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
