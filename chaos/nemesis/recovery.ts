import type { FaultKind, History } from '../../testbed/history/history.ts';
import { windowAvailability } from '../../testbed/history/checkers/availability.ts';
import { DEPENDENCY_TIMINGS } from '../../testbed/services/proxied-dependencies.ts';

/**
 * Recovery after each heal (pure): the time to the first ok ack and to every node `healthy` with every breaker
 * closed again, judged against the bounds the spec's timings allow. Unknown (not measured, no ack seen) is
 * never a pass.
 */

/** How long the clients' socket.io waits at most between reconnection attempts (stream-client.ts reconnectionDelayMax). */
export const CLIENT_RECONNECT_MAX_MS = 1_000;
/** Margin for a loaded machine (two cores shared by several runs): scheduling, not the server, eats it. */
export const SHARED_MACHINE_SLACK_MS = 2_000;

export interface RecoveryBounds {
  /** Heal to every node healthy with every breaker closed. */
  healthyMs: number;
  /** Heal to the first ok ack. */
  firstAckMs: number;
  /** How the bounds were made, for the report. */
  basis: string;
}

/**
 * From the deployment's timings: a breaker that opened half-opens after BREAKER_RESET_TIMEOUT_MS and its trial
 * call may take DEPENDENCY_TIMEOUT_MS; Redis reconnects within REDIS_RECONNECT_MAX_MS; health looks every
 * DEPENDENCY_PROBE_INTERVAL_MS (BRK-2..4, DEG-5, HLTH-2). A first ack may also wait for a client's reconnect.
 */
export function recoveryBounds(timings: Record<keyof typeof DEPENDENCY_TIMINGS, string> = DEPENDENCY_TIMINGS): RecoveryBounds {
  const n = (k: keyof typeof DEPENDENCY_TIMINGS) => Number(timings[k]);
  const healthyMs = n('BREAKER_RESET_TIMEOUT_MS') + n('DEPENDENCY_TIMEOUT_MS') + n('REDIS_RECONNECT_MAX_MS') + n('DEPENDENCY_PROBE_INTERVAL_MS') + SHARED_MACHINE_SLACK_MS;
  return {
    healthyMs,
    firstAckMs: healthyMs + CLIENT_RECONNECT_MAX_MS,
    basis: `breaker reset ${n('BREAKER_RESET_TIMEOUT_MS')} + dependency timeout ${n('DEPENDENCY_TIMEOUT_MS')} + Redis reconnect max ${n('REDIS_RECONNECT_MAX_MS')} + probe interval ${n('DEPENDENCY_PROBE_INTERVAL_MS')} + ${SHARED_MACHINE_SLACK_MS} ms for a shared machine (healthy); + client reconnect max ${CLIENT_RECONNECT_MAX_MS} (first ack)`,
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
