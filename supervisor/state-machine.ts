/**
 * The supervisor's state, in one object, and the named transitions between its phases. Pure:
 * no processes, timers, files or clock here (times and the jitter draw come in with the
 * event), so property tests can drive it through any sequence of events. The I/O shell
 * (supervisor.ts) turns what happens to the server into events and does what the new phase
 * asks: start a server, stop its group, wait out a backoff, write the metrics file.
 */
import { decideRestart, isStable, type BackoffPolicy } from './backoff.ts';
import { initialMetrics, type FailureRecord, type MetricsFile } from './metrics-file.ts';
import type { RestartPolicy } from './config.ts';

/** What the machine needs to know of the configuration. */
export interface LifecyclePolicy {
  backoff: BackoffPolicy;
  healthIntervalMs: number;
  unhealthyThreshold: number;
  /** Absent: `always`. `on-failure` (systemd's Restart=on-failure): a server that exits 0 is not restarted. */
  restart?: RestartPolicy;
}

/** Why a server stopped counting as running, before the time and its output are added. */
export type FailureCause = Omit<FailureRecord, 'at' | 'stderr_tail'>;

export type Phase =
  /** A server is being started, or has started and has not yet answered its health URL. */
  | { name: 'starting' }
  /** The server answered its last health check. */
  | { name: 'healthy' }
  /** The server failed its last health check(s), fewer in a row than the threshold. */
  | { name: 'unhealthy' }
  /**
   * The server failed: what is left of its process group is being stopped; then the restart decision.
   * `exitedCleanly`: it exited 0 under `restart: on-failure`, so it stays stopped (no failure counted).
   */
  | { name: 'cleaning-up'; message: string; permanent: boolean; exitedCleanly?: true }
  /** Waiting out the jittered delay before the next start. */
  | { name: 'backing-off'; attempt: number; delayMs: number; ceilingMs: number }
  /** A stop was requested: the server is being stopped. */
  | { name: 'stopping' }
  /** Terminal: stopped on request. */
  | { name: 'stopped' }
  /** Terminal: the retry budget ran out, or the failure cannot be fixed by waiting. */
  | { name: 'given-up'; reason: string };
export type PhaseName = Phase['name'];

export const TERMINAL_PHASES: readonly PhaseName[] = ['stopped', 'given-up'];
export const isTerminal = (state: SupervisorState) => TERMINAL_PHASES.includes(state.phase.name);

export interface SupervisorState {
  phase: Phase;
  /** Failures since the server was last stable: the retry budget used so far, and the backoff step. */
  failuresInARow: number;
  /** Periodic health checks failed in a row since the last one that passed. */
  checksFailedInARow: number;
  /** When the current server process was started; undefined when none runs. */
  serverStartedAtMs: number | undefined;
  /** When the current server first answered healthy; undefined until it has. */
  healthySinceMs: number | undefined;
  /** What the metrics file reports, except uptime (which needs the clock: see metricsAt). */
  report: Omit<MetricsFile, 'uptime_seconds'>;
}

export type SupervisorEvent =
  /** A server process was started. */
  | { type: 'server-spawned'; atMs: number }
  /** The starting server answered its health URL. */
  | { type: 'server-healthy'; atMs: number }
  /** A periodic health check of a started server passed. */
  | { type: 'check-passed'; atMs: number }
  /** A periodic health check failed; `serverOutput` is the tail of its log, kept if this makes it unhealthy. */
  | { type: 'check-failed'; atMs: number; error: string; serverOutput: string[] }
  /**
   * The server failed by itself: could not be started, exited, never became healthy.
   * `refusedCheckAtMs`: a health check it refused just before its exit was seen.
   */
  | { type: 'server-failed'; atMs: number; cause: FailureCause; permanent: boolean; serverOutput: string[]; refusedCheckAtMs?: number }
  /** Nothing of the server is left running (or none was running). */
  | { type: 'server-stopped' }
  /** The backoff delay is over. */
  | { type: 'backoff-elapsed' }
  /** SIGTERM, SIGINT or SIGHUP reached the supervisor. */
  | { type: 'stop-requested' };
export type EventType = SupervisorEvent['type'];

export function initialState(startedAtMs: number): SupervisorState {
  const { uptime_seconds: _uptime, ...report } = initialMetrics(new Date(startedAtMs));
  return { phase: { name: 'starting' }, failuresInARow: 0, checksFailedInARow: 0, serverStartedAtMs: undefined, healthySinceMs: undefined, report };
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The next state after `event`. An event that does not apply to the current phase (e.g. a
 * health check result after a stop was requested) leaves the state as it is; so does any
 * event in a terminal phase. `random` draws the backoff jitter, as in backoff.ts.
 */
export function transition(state: SupervisorState, event: SupervisorEvent, policy: LifecyclePolicy, random: () => number = Math.random): SupervisorState {
  if (isTerminal(state)) return state;
  const phase = state.phase.name;
  const report = state.report;

  if (event.type === 'stop-requested') {
    if (phase === 'stopping') return state;
    // With no server to wait for, the stop is complete at once.
    return state.serverStartedAtMs === undefined ? stopped(state) : { ...state, phase: { name: 'stopping' } };
  }

  switch (event.type) {
    case 'server-spawned':
      if (phase !== 'starting' || state.serverStartedAtMs !== undefined) return state;
      return { ...state, serverStartedAtMs: event.atMs, healthySinceMs: undefined, checksFailedInARow: 0 };

    case 'server-healthy':
      if (phase !== 'starting' || state.serverStartedAtMs === undefined) return state;
      return {
        ...state,
        phase: { name: 'healthy' },
        healthySinceMs: event.atMs,
        checksFailedInARow: 0,
        report: { ...report, health_checks_passed: report.health_checks_passed + 1, last_health_check: iso(event.atMs), status: 'healthy', status_reason: null },
      };

    case 'check-passed': {
      if (phase !== 'healthy' && phase !== 'unhealthy') return state;
      const stable = state.healthySinceMs !== undefined && isStable(state.healthySinceMs, event.atMs, policy.backoff, policy.healthIntervalMs);
      return {
        ...state,
        phase: { name: 'healthy' },
        checksFailedInARow: 0,
        // A server that stayed up long enough has its failures forgiven: backoff and budget start afresh.
        failuresInARow: stable ? 0 : state.failuresInARow,
        report: {
          ...report,
          health_checks_passed: report.health_checks_passed + 1,
          last_health_check: iso(event.atMs),
          status: 'healthy',
          status_reason: report.status === 'healthy' ? report.status_reason : null,
        },
      };
    }

    case 'check-failed': {
      if (phase !== 'healthy' && phase !== 'unhealthy') return state;
      const failedInARow = state.checksFailedInARow + 1;
      const counted = { ...report, health_checks_failed: report.health_checks_failed + 1, last_health_check: iso(event.atMs) };
      if (failedInARow < policy.unhealthyThreshold) {
        return { ...state, phase: { name: 'unhealthy' }, checksFailedInARow: failedInARow, report: { ...counted, status: 'unhealthy', status_reason: event.error } };
      }
      const cause: FailureCause = {
        reason: 'unhealthy',
        exit_code: null,
        signal: null,
        message: `${failedInARow} health checks in a row failed (SOCKETIO_UNHEALTHY_THRESHOLD=${policy.unhealthyThreshold}); last: ${event.error}`,
      };
      return failed({ ...state, checksFailedInARow: failedInARow, report: counted }, cause, false, event.atMs, event.serverOutput);
    }

    case 'server-failed': {
      if (phase !== 'starting' && phase !== 'healthy' && phase !== 'unhealthy') return state;
      const checked = event.refusedCheckAtMs === undefined ? state : { ...state, report: { ...report, last_health_check: iso(event.refusedCheckAtMs) } };
      if (policy.restart === 'on-failure' && isCleanExit(event.cause)) return { ...checked, phase: { name: 'cleaning-up', message: event.cause.message, permanent: false, exitedCleanly: true } };
      return failed(checked, event.cause, event.permanent, event.atMs, event.serverOutput);
    }

    case 'server-stopped': {
      if (phase === 'stopping') return stopped({ ...state, serverStartedAtMs: undefined });
      if (state.phase.name !== 'cleaning-up') return state;
      const { message, permanent } = state.phase;
      if (state.phase.exitedCleanly) {
        const reason = `${message}: not restarted (SOCKETIO_RESTART=on-failure restarts only a non-zero exit or a signal)`;
        return { ...state, serverStartedAtMs: undefined, healthySinceMs: undefined, checksFailedInARow: 0, phase: { name: 'stopped' }, report: { ...report, status: 'stopped', status_reason: reason } };
      }
      const failuresInARow = state.failuresInARow + 1;
      const cleared = { ...state, failuresInARow, serverStartedAtMs: undefined, healthySinceMs: undefined, checksFailedInARow: 0 };
      const decision = permanent ? ({ action: 'give-up' } as const) : decideRestart(policy.backoff, failuresInARow, random);
      if (decision.action === 'give-up') {
        const reason = permanent
          ? `gave up at once: ${message}`
          : `gave up after ${failuresInARow} failures in a row (SOCKETIO_MAX_RETRIES=${policy.backoff.maxRetries}); last: ${message}`;
        return { ...cleared, phase: { name: 'given-up', reason }, report: { ...report, status: 'failed', status_reason: reason } };
      }
      const { attempt, delayMs, ceilingMs } = decision;
      return { ...cleared, phase: { name: 'backing-off', attempt, delayMs, ceilingMs }, report: { ...report, status: 'restarting', status_reason: message } };
    }

    case 'backoff-elapsed':
      if (phase !== 'backing-off') return state;
      return { ...state, phase: { name: 'starting' }, report: { ...report, restarts: report.restarts + 1 } };
  }
}

/** An exit with code 0, not by a signal: what systemd's Restart=on-failure leaves alone. */
export function isCleanExit(cause: FailureCause): boolean {
  return cause.reason === 'exit' && cause.exit_code === 0 && cause.signal === null;
}

function failed(state: SupervisorState, cause: FailureCause, permanent: boolean, atMs: number, serverOutput: string[]): SupervisorState {
  const record: FailureRecord = { ...cause, at: iso(atMs), stderr_tail: serverOutput };
  return {
    ...state,
    phase: { name: 'cleaning-up', message: cause.message, permanent },
    report: { ...state.report, total_failures: state.report.total_failures + 1, last_failure: record },
  };
}

function stopped(state: SupervisorState): SupervisorState {
  return { ...state, phase: { name: 'stopped' }, report: { ...state.report, status: 'stopped', status_reason: 'stopped on request' } };
}

/** The metrics file for this state at `nowMs`: uptime is that of the server process running now, if any. */
export function metricsAt(state: SupervisorState, nowMs: number): MetricsFile {
  const uptime = state.serverStartedAtMs === undefined ? 0 : Math.round((nowMs - state.serverStartedAtMs) / 100) / 10;
  return { ...state.report, uptime_seconds: uptime };
}
