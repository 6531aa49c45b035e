import type { Observation } from '../../../reports/verdicts.ts';
import type { HistoryVerdict } from '../../../testbed/history/history-check.ts';
import type { DoubtFigures } from '../../stream-verdict.ts';
import type { RecoveryBounds } from '../../nemesis/recovery.ts';
import type { DeliveryVerdict } from './delivery-check.ts';
import type { NodeSample } from './node-watch.ts';
import type { OperatorRecovery } from './operator-recovery.ts';
import { judgeOperatorRecovery } from './operator-recovery-verdict.ts';
import type { ProbeAnswer } from './send-probe.ts';

/** What the spec demands of a deployment while a dependency fault lasts (beyond what every fault demands). */
export interface FaultExpectation {
  /** HLTH-2, DEG-1, DEG-5: the dependency is unreachable: every node answers `degraded` (200) with this check `down`, never `unhealthy`. */
  downCheck?: 'redis' | 'store';
  /** DEG-3, BRK-2, BRK-4: sends are refused: every refused probe is `UNAVAILABLE` with `retryAfterMs` > 0, and the store breaker opens. */
  refusesSends?: boolean;
  /** DEG-1: events are still answered: every probe ok, within DEPENDENCY_TIMEOUT_MS and the runner's slack. */
  keepsServing?: boolean;
  /** BRK-5: healed through POST /admin/socket/recovery on every node, judged by operator-recovery-verdict.ts. */
  operatorRecovery?: boolean;
}

/** Everything a dependency scenario observed, split at the fault and the heal. */
export interface FaultObservations {
  nodes: readonly string[];
  history: HistoryVerdict;
  doubt: DoubtFigures;
  delivery: DeliveryVerdict;
  ackedAfterHeal: number;
  /** Samples while the fault lasted. */
  during: readonly NodeSample[];
  /** Samples after the heal. */
  afterHeal: readonly NodeSample[];
  probesDuring: readonly ProbeAnswer[];
  /** Per node ms from the heal to `healthy`, null when it was not healthy by the bound. */
  healToHealthyMs: Record<string, number | null>;
  /** Heal to the first ok ack of the stream, null when none came. */
  healToFirstAckMs?: number | null;
  /** The bounds the target's timings allow (nemesis/recovery.ts); without them recovery time is not judged. */
  bounds?: Pick<RecoveryBounds, 'healthyMs' | 'firstAckMs'>;
  /** How long a send may wait for its answer while the fault lasts: the target's dependency timeout + slack (ANSWER_BOUND_MS when not given). */
  answerBoundMs?: number;
  /** What the operator's recovery did on each node (expect.operatorRecovery). */
  operatorRecovery?: OperatorRecovery | undefined;
}

/** The runner's scheduling slack on top of the target's DEPENDENCY_TIMEOUT_MS for a send to be answered. */
export const ANSWER_SLACK_MS = 1_000;
/** DEPENDENCY_TIMEOUT_MS of the local deployment (testbed DEPENDENCY_TIMINGS) plus the slack: the bound without the target's timings. */
export const ANSWER_BOUND_MS = 1_000 + ANSWER_SLACK_MS;

/** Pure: the verdict of one dependency scenario, with every broken rule named. */
export function judgeFault(expect: FaultExpectation, o: FaultObservations): { verdict: Observation; reason: string } {
  const problems: string[] = [];
  const answerBound = o.answerBoundMs ?? ANSWER_BOUND_MS;
  const h = o.history;
  if (!h.exactlyOnce) problems.push(`not exactly once (${h.lost.length} lost, ${h.duplicated.length} duplicated, ${h.mismatched.length} mismatched${h.seqStrictlyIncreasing ? '' : ', seq out of order'}) (DEG-3, DUR-2)`);
  if (o.doubt.unresolved > 0) problems.push(`${o.doubt.unresolved} of ${o.doubt.sent} sends never acked`);
  if (o.doubt.acked === 0) problems.push('no send was acked at all');
  else if (o.ackedAfterHeal === 0) problems.push('no send was acked after the heal (DEG-5)');
  const d = o.delivery;
  if (d.missing.length > 0) problems.push(`${d.missing.length} of ${d.receivers} connected clients missed acked messages (${d.missing.map((m) => `${m.receiver}: ${m.count}`).join(', ')}) (NODE-1, DEG-2)`);
  if (d.outOfOrder.length > 0) problems.push(`cross-node messages out of the order they were made (${d.outOfOrder.map((x) => `${x.receiver} from ${x.origin}: ${x.example}`).join('; ')}) (DEG-2)`);
  const notHealthy = o.nodes.filter((n) => o.healToHealthyMs[n] === null);
  if (notHealthy.length > 0) problems.push(`not healthy again after the heal: ${notHealthy.join(', ')} (DEG-5)`);
  if (o.bounds) {
    const b = o.bounds;
    const late = o.nodes.filter((n) => (o.healToHealthyMs[n] ?? 0) > b.healthyMs);
    if (late.length > 0) problems.push(`healthy again later than the target's timings allow (${b.healthyMs} ms): ${late.map((n) => `${n} ${o.healToHealthyMs[n]} ms`).join(', ')} after the heal (DEG-5, BRK-2)`);
    if (o.healToFirstAckMs != null && o.healToFirstAckMs > b.firstAckMs) problems.push(`first ok ack ${o.healToFirstAckMs} ms after the heal, over the ${b.firstAckMs} ms the target's timings allow (DEG-5)`);
  }

  if (expect.downCheck) {
    const check = expect.downCheck;
    for (const node of o.nodes) {
      const mine = o.during.filter((s) => s.node === node);
      if (!mine.some((s) => s.httpStatus === 200 && s.health?.status === 'degraded' && s.health.checks[check]?.status === 'down')) {
        problems.push(`${node} never answered degraded (200) with checks.${check} down while it was unreachable (HLTH-2)`);
      }
      const bad = mine.find((s) => s.health?.status === 'unhealthy' || (s.httpStatus !== undefined && s.httpStatus !== 200));
      if (bad) problems.push(`${node} answered ${bad.httpStatus} ${bad.health?.status ?? ''} for an external dependency down (HLTH-2)`);
    }
  }
  if (expect.refusesSends) {
    const wrong = o.probesDuring.filter((p) => !p.ok && !(p.code === 'UNAVAILABLE' && (p.retryAfterMs ?? 0) > 0));
    if (wrong.length > 0) problems.push(`${wrong.length} sends refused otherwise than UNAVAILABLE with retryAfterMs (first: ${wrong[0]!.code}) (DEG-3)`);
    if (!o.probesDuring.some((p) => !p.ok)) problems.push('no send was refused while the database was unreachable (DEG-3)');
    if (!o.during.some((s) => s.breakers?.store?.state === 'open')) problems.push('the store breaker never opened (BRK-2)');
    const slow = o.probesDuring.filter((p) => p.ms > answerBound);
    if (slow.length > 0) problems.push(`${slow.length} sends waited over ${answerBound} ms for an answer (BRK-4, ACK-7)`);
  }
  if (expect.keepsServing) {
    const failed = o.probesDuring.filter((p) => !p.ok || p.ms > answerBound);
    if (failed.length > 0) problems.push(`${failed.length} of ${o.probesDuring.length} sends not answered ok within ${answerBound} ms (first: ${failed[0]!.code ?? `${failed[0]!.ms} ms`}) (DEG-1)`);
    if (o.probesDuring.length === 0) problems.push('no send was tried while the fault lasted');
  }
  for (const node of o.nodes) {
    // BRK-2, DEG-5: every breaker closes again on its own (a half-open trial in progress at the last look is fine).
    const recovered = o.afterHeal.some((s) => s.node === node && allClosed(s));
    if (!recovered) problems.push(`${node}: its breakers were never all closed after the heal (BRK-2, DEG-5)`);
  }
  if (expect.operatorRecovery) {
    if (!o.operatorRecovery) problems.push('the operator recovery was not tried (BRK-5)');
    else if (o.operatorRecovery.judged) problems.push(...judgeOperatorRecovery(o.operatorRecovery));
    // Not judged (the breakers were never open together long enough): unknown never counts as a pass.
    else if (problems.length === 0) return { verdict: 'inconclusive', reason: judgeOperatorRecovery(o.operatorRecovery).join('; ') };
  }
  if (problems.length > 0) return { verdict: 'fail', reason: problems.join('; ') };
  return {
    verdict: 'pass',
    reason: `${o.doubt.acked} acked, all stored exactly once and delivered on every node in order; ${o.doubt.inDoubt} in doubt, ${o.doubt.resolved} resolved by retry; ${expect.operatorRecovery ? 'POST /admin/socket/recovery closed every breaker at once and a send on each node right after was acked before its breaker would have half-opened; ' : ''}healthy again after the heal`,
  };
}

/** Every breaker of the sample closed; a sample without a valid breakers answer shows none closed. */
export function allClosed(s: Pick<NodeSample, 'breakers'>): boolean {
  return s.breakers !== undefined && Object.values(s.breakers).every((b) => b.state === 'closed');
}
