import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-file.ts';

/** The supervisor's states, as the original daemon named them. */
export const SupervisorStatus = z.enum(['starting', 'healthy', 'unhealthy', 'restarting', 'failed', 'stopped']);
export type SupervisorStatus = z.infer<typeof SupervisorStatus>;

/** Why the server last stopped without being asked to. */
export const FailureRecord = z.object({
  at: z.iso.datetime(),
  /** exit: it exited by itself; unhealthy: health checks failed; startup-timeout / startup-exit: it never became healthy. */
  reason: z.enum(['exit', 'unhealthy', 'startup-timeout', 'startup-exit', 'spawn-error']),
  exit_code: z.int().nullable(),
  signal: z.string().nullable(),
  message: z.string(),
  /** Last lines the server wrote (its stderr and stdout share the server log). */
  stderr_tail: z.array(z.string()),
});
export type FailureRecord = z.infer<typeof FailureRecord>;

const Count = z.int().nonnegative();

/** The metrics file, field for field as the original daemon wrote it, plus `status_reason`. */
export const MetricsFile = z.object({
  start_time: z.iso.datetime(),
  restarts: Count,
  total_failures: Count,
  last_failure: FailureRecord.nullable(),
  health_checks_passed: Count,
  health_checks_failed: Count,
  /** Seconds the current server process has been running; 0 when none runs. */
  uptime_seconds: z.number().nonnegative(),
  last_health_check: z.iso.datetime().nullable(),
  status: SupervisorStatus,
  /** Why the status is what it is, e.g. the reason for `failed`. */
  status_reason: z.string().nullable(),
});
export type MetricsFile = z.infer<typeof MetricsFile>;

export function initialMetrics(now: Date): MetricsFile {
  return {
    start_time: now.toISOString(),
    restarts: 0,
    total_failures: 0,
    last_failure: null,
    health_checks_passed: 0,
    health_checks_failed: 0,
    uptime_seconds: 0,
    last_health_check: null,
    status: 'starting',
    status_reason: null,
  };
}

export function writeMetricsFile(path: string, metrics: MetricsFile): void {
  writeFileAtomic(path, `${JSON.stringify(metrics, null, 2)}\n`);
}

export type MetricsRead = { ok: true; metrics: MetricsFile } | { ok: false; error: string };

export function readMetricsFile(path: string): MetricsRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { ok: false, error: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no metrics file' : String(err) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: `${path} is not JSON` };
  }
  const parsed = MetricsFile.safeParse(json);
  return parsed.success ? { ok: true, metrics: parsed.data } : { ok: false, error: `${path} does not fit the metrics schema` };
}
