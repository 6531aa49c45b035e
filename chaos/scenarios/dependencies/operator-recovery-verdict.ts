import type { OperatorRecovery } from './operator-recovery.ts';

/**
 * BRK-5 as an operator relies on it (pure): after the database is healed, POST /admin/socket/recovery on a node
 * answers `RecoveryResponse` with every breaker closed, the breakers read back closed, and a send on that node
 * right after is acked before the node would have half-opened its store breaker by itself. Each broken part is
 * one problem, naming the node.
 */
export function judgeOperatorRecovery(r: OperatorRecovery): string[] {
  if (!r.judged) return [`BRK-5 not judged: ${r.why}`];
  const problems: string[] = [];
  for (const n of r.nodes) {
    if (n.status !== 200 || !n.answer) {
      problems.push(`${n.node}: POST /admin/socket/recovery answered ${n.status ?? 'nothing'}${n.answerIssue ? ` (${n.answerIssue})` : ''}, not RecoveryResponse (BRK-5)`);
    } else {
      const shown = Object.entries(n.answer.breakers).filter(([, b]) => b.state !== 'closed');
      if (shown.length > 0) problems.push(`${n.node}: the recovery answered with breakers not closed: ${shown.map(([name, b]) => `${name} ${b.state}`).join(', ')} (BRK-5)`);
    }
    const readBack = n.readBack === undefined ? undefined : Object.entries(n.readBack).filter(([, b]) => b.state !== 'closed');
    if (readBack === undefined) problems.push(`${n.node}: no BreakersResponse right after the recovery (BRK-3)`);
    else if (readBack.length > 0) problems.push(`${n.node}: breakers read back right after the recovery not closed: ${readBack.map(([name, b]) => `${name} ${b.state}`).join(', ')} (BRK-5)`);
    const s = n.send;
    const ownHalfOpenIn = Math.round(n.halfOpenAt - n.recoveredAt);
    if (!s.ok) {
      problems.push(`${n.node}: the send right after the recovery was answered ${s.code}${s.retryAfterMs === undefined ? '' : ` with retryAfterMs ${s.retryAfterMs}`}, ${ownHalfOpenIn} ms before its store breaker would have half-opened by itself: the recovery did not close it (BRK-5)`);
    } else if (s.at + s.ms > n.halfOpenAt) {
      problems.push(`${n.node}: the send right after the recovery was acked only ${Math.round(s.at + s.ms - n.recoveredAt)} ms later, after the store breaker's own half-open time (${ownHalfOpenIn} ms after the recovery): not the recovery's doing (BRK-5)`);
    }
  }
  return problems;
}

/** Per node: ms from the recovery's answer to the ok ack of the send right after, and to the breaker's own half-open time. */
export function operatorRecoveryFigures(r: OperatorRecovery): Record<string, unknown> {
  if (!r.judged) return { judged: false, why: r.why };
  return Object.fromEntries(
    r.nodes.map((n) => [
      n.node,
      {
        answered: n.status ?? null,
        closedInAnswer: n.answer ? Object.values(n.answer.breakers).every((b) => b.state === 'closed') : false,
        sendAfter: n.send.ok ? 'ok' : (n.send.code ?? '?'),
        recoveryToAckMs: n.send.ok ? Math.max(0, Math.round(n.send.at + n.send.ms - n.recoveredAt)) : null,
        ownHalfOpenInMs: Math.round(n.halfOpenAt - n.recoveredAt),
        resetTimeoutMs: n.resetTimeoutMs,
      },
    ]),
  );
}
