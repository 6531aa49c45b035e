import type { FaultKind, History } from '../../testbed/history/history.ts';
import { windowAvailability } from '../../testbed/history/checkers/availability.ts';
import { DEFAULT_BREAKER_POLICY } from '../../spec/index.ts';
import { DEPENDENCY_TIMINGS } from '../../testbed/services/proxied-dependencies.ts';

/**
 * Recovery after each heal (pure): the time to the first ok ack and to every node `healthy` with every breaker
 * closed again, judged against the bounds the target's own timings allow (chaos/nemesis/target-timings.ts reads
 * them: the breaker reset from its GET /spec, the rest as the runner set them or SPEC.md's defaults). Unknown
 * (not measured, no ack seen) is never a pass.
 */

/** How long the clients' socket.io waits at most between reconnection attempts (stream-client.ts reconnectionDelayMax). */
export const CLIENT_RECONNECT_MAX_MS = 1_000;
/** Margin for a loaded machine (two cores shared by several runs): scheduling, not the server, eats it. */
export const SHARED_MACHINE_SLACK_MS = 2_000;

/** The timings of CFG-3 a recovery bound is made of. */
export const RECOVERY_TIMING_NAMES = ['BREAKER_RESET_TIMEOUT_MS', 'DEPENDENCY_TIMEOUT_MS', 'REDIS_RECONNECT_MAX_MS', 'DEPENDENCY_PROBE_INTERVAL_MS'] as const;
export type RecoveryTimingName = (typeof RECOVERY_TIMING_NAMES)[number];

/** SPEC.md's defaults (BRK-2, CFG-3): what a server told nothing else uses. */
export const SPEC_DEFAULT_TIMINGS: Record<RecoveryTimingName, number> = {
  BREAKER_RESET_TIMEOUT_MS: DEFAULT_BREAKER_POLICY.resetTimeoutMs,
  DEPENDENCY_TIMEOUT_MS: 3_000,
  REDIS_RECONNECT_MAX_MS: 30_000,
  DEPENDENCY_PROBE_INTERVAL_MS: 2_000,
};

/** One timing and where its value came from (e.g. "GET /spec breakers.resetTimeoutMs of node-1, node-2"). */
export interface SourcedTiming {
  ms: number;
  from: string;
}
export type RecoveryTimings = Record<RecoveryTimingName, SourcedTiming>;

/** Timings all from one place, e.g. the values the runner gave the nodes it started. */
export function timingsFrom(values: Readonly<Record<RecoveryTimingName, string | number>>, from: string): RecoveryTimings {
  return Object.fromEntries(RECOVERY_TIMING_NAMES.map((k) => [k, { ms: Number(values[k]), from }])) as RecoveryTimings;
}

export interface RecoveryBounds {
  /** Heal to every node healthy with every breaker closed. */
  healthyMs: number;
  /** Heal to the first ok ack. */
  firstAckMs: number;
  /** How the bounds were made and where each timing came from, for the report. */
  basis: string;
  /** The timings used, each with its source. */
  timings?: RecoveryTimings;
}

/**
 * From the target's timings: a breaker that opened half-opens after BREAKER_RESET_TIMEOUT_MS and its trial
 * call may take DEPENDENCY_TIMEOUT_MS; Redis reconnects within REDIS_RECONNECT_MAX_MS; health looks every
 * DEPENDENCY_PROBE_INTERVAL_MS (BRK-2..4, DEG-5, HLTH-2). A first ack may also wait for a client's reconnect.
 * Without timings: the local deployment's (testbed DEPENDENCY_TIMINGS).
 */
export function recoveryBounds(timings: RecoveryTimings | Readonly<Record<RecoveryTimingName, string>> = DEPENDENCY_TIMINGS): RecoveryBounds {
  const t: RecoveryTimings = typeof timings.BREAKER_RESET_TIMEOUT_MS === 'object' ? (timings as RecoveryTimings) : timingsFrom(timings as Record<RecoveryTimingName, string>, 'the local deployment\'s timings');
  const n = (k: RecoveryTimingName) => t[k].ms;
  const healthyMs = n('BREAKER_RESET_TIMEOUT_MS') + n('DEPENDENCY_TIMEOUT_MS') + n('REDIS_RECONNECT_MAX_MS') + n('DEPENDENCY_PROBE_INTERVAL_MS') + SHARED_MACHINE_SLACK_MS;
  // Each term once with its value; the sources grouped, so that a bound from one place reads as one.
  const sources = new Map<string, string[]>();
  const label: Record<RecoveryTimingName, string> = { BREAKER_RESET_TIMEOUT_MS: 'breaker reset', DEPENDENCY_TIMEOUT_MS: 'dependency timeout', REDIS_RECONNECT_MAX_MS: 'Redis reconnect max', DEPENDENCY_PROBE_INTERVAL_MS: 'probe interval' };
  for (const k of RECOVERY_TIMING_NAMES) sources.set(t[k].from, [...(sources.get(t[k].from) ?? []), label[k]]);
  const from = [...sources].map(([where, what]) => `${what.join(', ')} from ${where}`).join('; ');
  return {
    healthyMs,
    firstAckMs: healthyMs + CLIENT_RECONNECT_MAX_MS,
    basis: `breaker reset ${n('BREAKER_RESET_TIMEOUT_MS')} + dependency timeout ${n('DEPENDENCY_TIMEOUT_MS')} + Redis reconnect max ${n('REDIS_RECONNECT_MAX_MS')} + probe interval ${n('DEPENDENCY_PROBE_INTERVAL_MS')} + ${SHARED_MACHINE_SLACK_MS} ms for a shared machine (healthy); + client reconnect max ${CLIENT_RECONNECT_MAX_MS} (first ack). Timings: ${from}`,
    timings: t,
  };
}

export type RecoveryVerdict = 'within' | 'late' | 'unknown';

/** One heal: what was healed, when (ms from the run's start), and how long until an ok ack and health came back. */
export interface HealRecovery {
  fault: FaultKind;
  /** The node a kill or pause struck (the nemesis op's note), if any. */
  node: string | null;
  healMs: number | null;
  firstAckMs: number | null;
  /** null: not healthy within the time the runner waited; undefined: not measured. */
  healthyMs: number | null | undefined;
  verdict: RecoveryVerdict;
  /** Why late or unknown. */
  why?: string;
}

export interface RecoveryReport {
  bounds: RecoveryBounds;
  heals: HealRecovery[];
  verdict: 'valid' | 'invalid' | 'unknown';
  reason: string;
  /** Per fault: heals, the slowest first ack and healthy again, ms. */
  byFault: Partial<Record<FaultKind, { heals: number; maxFirstAckMs: number | null; maxHealthyMs: number | null; late: number; unknown: number }>>;
}

/**
 * Judges each heal of `history` (in order) with the healthy-again time measured after it (`healthyAfterMs[i]`
 * for the i-th window; the executor's ScheduleRun.healthyAfterMs).
 */
export function judgeRecovery(history: History, healthyAfterMs: readonly (number | null | undefined)[], bounds: RecoveryBounds): RecoveryReport {
  const heals = windowAvailability(history).map((w, i): HealRecovery => {
    const start = history.ops[w.startOp];
    const node = start?.f === 'nemesis' ? (start.value.note ?? null) : null;
    const healthyMs = healthyAfterMs[i];
    const base = { fault: w.fault, node, healMs: w.healMs, firstAckMs: w.recoverMs, healthyMs };
    const late: string[] = [];
    const unknown: string[] = [];
    if (w.healMs === null) unknown.push('never healed');
    if (w.recoverMs === null) unknown.push('no ok ack after the heal');
    else if (w.recoverMs > bounds.firstAckMs) late.push(`first ok ack ${w.recoverMs} ms after the heal (bound ${bounds.firstAckMs})`);
    if (healthyMs === undefined) unknown.push('health not measured');
    else if (healthyMs === null) late.push('not healthy again while the runner waited');
    else if (healthyMs > bounds.healthyMs) late.push(`healthy ${healthyMs} ms after the heal (bound ${bounds.healthyMs})`);
    if (late.length) return { ...base, verdict: 'late', why: [...late, ...unknown].join('; ') };
    if (unknown.length) return { ...base, verdict: 'unknown', why: unknown.join('; ') };
    return { ...base, verdict: 'within' };
  });
  const byFault: RecoveryReport['byFault'] = {};
  for (const h of heals) {
    const f = (byFault[h.fault] ??= { heals: 0, maxFirstAckMs: null, maxHealthyMs: null, late: 0, unknown: 0 });
    f.heals++;
    if (h.firstAckMs !== null) f.maxFirstAckMs = Math.max(f.maxFirstAckMs ?? 0, h.firstAckMs);
    if (typeof h.healthyMs === 'number') f.maxHealthyMs = Math.max(f.maxHealthyMs ?? 0, h.healthyMs);
    if (h.verdict === 'late') f.late++;
    if (h.verdict === 'unknown') f.unknown++;
  }
  const late = heals.filter((h) => h.verdict === 'late');
  const unknown = heals.filter((h) => h.verdict === 'unknown');
  const at = (h: HealRecovery) => `${h.fault}${h.node ? ` of ${h.node}` : ''} healed at ${h.healMs === null ? '?' : Math.round(h.healMs)} ms: ${h.why}`;
  if (late.length) return { bounds, heals, byFault, verdict: 'invalid', reason: `${late.length} of ${heals.length} heal(s) recovered late; first: ${at(late[0]!)}` };
  if (unknown.length) return { bounds, heals, byFault, verdict: 'unknown', reason: `${unknown.length} of ${heals.length} heal(s) not judged; first: ${at(unknown[0]!)}` };
  return { bounds, heals, byFault, verdict: 'valid', reason: `each of ${heals.length} heal(s): first ok ack within ${bounds.firstAckMs} ms, healthy within ${bounds.healthyMs} ms` };
}
