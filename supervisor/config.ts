import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { BackoffPolicy } from './backoff.ts';

/** A bad configuration value: reported as one line naming the variable and what it accepts. */
export class SupervisorConfigError extends Error {
  override name = 'SupervisorConfigError';
}

const seconds = (min: number, max: number, minExclusive = false) => {
  const what = `a number of seconds ${minExclusive ? `above ${min}` : `from ${min}`} to ${max}`;
  const base = z.coerce.number({ error: what }).max(max, what);
  return minExclusive ? base.gt(min, what) : base.min(min, what);
};
const whole = (min: number, max: number) => {
  const what = `a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: what }).int(what).min(min, what).max(max, what);
};

/** The original daemon's level names, with pino's as aliases. */
const LOG_LEVELS = { DEBUG: 'debug', INFO: 'info', WARNING: 'warn', WARN: 'warn', ERROR: 'error', CRITICAL: 'fatal', FATAL: 'fatal' } as const;
type PinoLevel = (typeof LOG_LEVELS)[keyof typeof LOG_LEVELS];

const logLevel = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .pipe(z.enum(Object.keys(LOG_LEVELS) as [keyof typeof LOG_LEVELS], { error: 'one of DEBUG, INFO, WARNING, ERROR, CRITICAL' }))
  .transform((s): PinoLevel => LOG_LEVELS[s]);

const flag = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'true or false' }))
  .transform((s) => ['true', '1', 'yes', 'on'].includes(s));

/** The environment the supervisor reads: the original daemon's names and defaults, plus the state directory. */
const EnvSchema = z.object({
  SOCKETIO_MAX_RETRIES: whole(0, 10_000).default(10),
  SOCKETIO_INITIAL_RETRY_DELAY: seconds(0, 86_400).default(1.0),
  SOCKETIO_MAX_RETRY_DELAY: seconds(0, 86_400).default(60.0),
  SOCKETIO_BACKOFF_FACTOR: z.coerce.number({ error: 'a number from 1 to 100' }).min(1, 'a number from 1 to 100').max(100, 'a number from 1 to 100').default(2.0),
  SOCKETIO_HEALTH_CHECK_INTERVAL: seconds(0, 86_400, true).default(30.0),
  SOCKETIO_HEALTH_CHECK_TIMEOUT: seconds(0, 3_600, true).default(5.0),
  SOCKETIO_UNHEALTHY_THRESHOLD: whole(1, 10_000).default(3),
  SOCKETIO_STARTUP_TIMEOUT: seconds(0, 86_400, true).default(30.0),
  SOCKETIO_SHUTDOWN_TIMEOUT: seconds(0, 3_600).default(10.0),
  SOCKETIO_PORT_START: whole(1, 65_535).default(8765),
  SOCKETIO_PORT_END: whole(1, 65_535).default(8785),
  SOCKETIO_LOG_LEVEL: logLevel.default('info'),
  SOCKETIO_METRICS_ENABLED: flag.default(true),
  SOCKETIO_METRICS_FILE: z.string().optional(),
  // systemd's Restart= names: `on-failure` leaves a server that exited 0 stopped (C21 runs under it).
  SOCKETIO_RESTART: z.enum(['always', 'on-failure'], { error: 'always or on-failure' }).default('always'),
  SOCKPROOF_STATE_DIR: z.string().default('.sockproof'),
});

export interface SupervisorConfig {
  backoff: BackoffPolicy;
  healthIntervalMs: number;
  healthTimeoutMs: number;
  unhealthyThreshold: number;
  startupTimeoutMs: number;
  shutdownTimeoutMs: number;
  portStart: number;
  portEnd: number;
  logLevel: PinoLevel;
  /** Absolute path of the metrics file, or undefined when SOCKETIO_METRICS_ENABLED is false. */
  metricsFile: string | undefined;
  /** Absolute path of the state directory (pid files, lock, logs, port file). */
  stateDir: string;
  /** Which exits are restarted: any (`always`), or only a failure: a non-zero code or a signal (`on-failure`). */
  restart: RestartPolicy;
}

export type RestartPolicy = 'always' | 'on-failure';

export const METRICS_FILE_NAME = 'socketio-metrics.json';

const ms = (s: number) => Math.round(s * 1000);

/** Reads and checks the environment; throws SupervisorConfigError with one line for the first bad value. */
export function loadSupervisorConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): SupervisorConfig {
  // Unit files and shells often leave a variable empty; empty means "use the default".
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in EnvSchema.shape && v !== undefined && v.trim() !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new SupervisorConfigError(`${name} must be ${issue.message} (got "${String(present[name]).slice(0, 60)}")`);
  }
  const e = parsed.data;
  if (e.SOCKETIO_PORT_START > e.SOCKETIO_PORT_END) {
    throw new SupervisorConfigError(`SOCKETIO_PORT_START must be <= SOCKETIO_PORT_END (got ${e.SOCKETIO_PORT_START} > ${e.SOCKETIO_PORT_END})`);
  }
  if (e.SOCKETIO_INITIAL_RETRY_DELAY > e.SOCKETIO_MAX_RETRY_DELAY) {
    throw new SupervisorConfigError(
      `SOCKETIO_INITIAL_RETRY_DELAY must be <= SOCKETIO_MAX_RETRY_DELAY (got ${e.SOCKETIO_INITIAL_RETRY_DELAY} > ${e.SOCKETIO_MAX_RETRY_DELAY})`,
    );
  }
  const stateDir = isAbsolute(e.SOCKPROOF_STATE_DIR) ? e.SOCKPROOF_STATE_DIR : resolve(cwd, e.SOCKPROOF_STATE_DIR);
  const metricsPath = e.SOCKETIO_METRICS_FILE ? resolve(cwd, e.SOCKETIO_METRICS_FILE) : resolve(stateDir, METRICS_FILE_NAME);
  return {
    backoff: {
      initialDelayMs: ms(e.SOCKETIO_INITIAL_RETRY_DELAY),
      maxDelayMs: ms(e.SOCKETIO_MAX_RETRY_DELAY),
      factor: e.SOCKETIO_BACKOFF_FACTOR,
      maxRetries: e.SOCKETIO_MAX_RETRIES,
    },
    healthIntervalMs: ms(e.SOCKETIO_HEALTH_CHECK_INTERVAL),
    healthTimeoutMs: ms(e.SOCKETIO_HEALTH_CHECK_TIMEOUT),
    unhealthyThreshold: e.SOCKETIO_UNHEALTHY_THRESHOLD,
    startupTimeoutMs: ms(e.SOCKETIO_STARTUP_TIMEOUT),
    shutdownTimeoutMs: ms(e.SOCKETIO_SHUTDOWN_TIMEOUT),
    portStart: e.SOCKETIO_PORT_START,
    portEnd: e.SOCKETIO_PORT_END,
    logLevel: e.SOCKETIO_LOG_LEVEL,
    metricsFile: e.SOCKETIO_METRICS_ENABLED ? metricsPath : undefined,
    stateDir,
    restart: e.SOCKETIO_RESTART,
  };
}
