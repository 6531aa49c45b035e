import { faultWindows, type FaultKind, type History, type SendOp } from '../history.ts';
import type { CheckerVerdict, Counterexample } from './checker-verdict.ts';
import { sendOps } from './final-reads.ts';

export interface WindowAvailability {
  fault: FaultKind;
  startMs: number;
  healMs: number | null;
  /** Send attempts invoked inside the window, and the share of them acked ok. */
  sends: number;
  okShare: number | null;
  /** Heal to the first ok ack completed after it, ms; null when none came. */
  recoverMs: number | null;
  /** The index of the nemesis op that opened the window (its note names the node struck). */
  startOp: number;
}

const share = (ops: readonly SendOp[]) => (ops.length ? Math.round((ops.filter((o) => o.outcome === 'ok').length / ops.length) * 1000) / 1000 : null);

/** Each fault window of the history with its send attempts, their ok share and the heal's time to the first ok ack (pure). */
export function windowAvailability(history: History): WindowAvailability[] {
  const sends = sendOps(history);
  return faultWindows(history).map((w) => {
    const inside = sends.filter((o) => o.invokeMs >= w.startMs && (w.healMs === null || o.invokeMs <= w.healMs));
    let recoverMs: number | null = null;
    if (w.healMs !== null) {
      for (const o of sends) {
        if (o.outcome === 'ok' && o.completeMs !== null && o.completeMs >= w.healMs && (recoverMs === null || o.completeMs - w.healMs < recoverMs)) recoverMs = o.completeMs - w.healMs;
      }
    }
    return { fault: w.fault, startMs: w.startMs, healMs: w.healMs, sends: inside.length, okShare: share(inside), recoverMs: recoverMs === null ? null : Math.round(recoverMs), startOp: w.startOp };
  });
}

/**
 * (e) Availability: the share of ok send attempts overall and in each fault window, and the time from each heal
 * to the first ok ack after it. The service must come back after every heal: a heal followed by sends none of
 * which was acked is invalid; a window never healed, or with no send after its heal, cannot be judged (unknown).
 */
export function checkAvailability(history: History): CheckerVerdict {
  const sends = sendOps(history);
  const windows = windowAvailability(history);
  const counterexamples: Counterexample[] = [];
  const undecided: string[] = [];
  const nemesis = history.ops.filter((o) => o.f === 'nemesis');
  for (const w of windows) {
    if (w.healMs === null) {
      undecided.push(`${w.fault} at ${Math.round(w.startMs)} ms was never healed`);
      continue;
    }
    if (w.recoverMs !== null) continue;
    const after = sends.filter((o) => o.invokeMs >= w.healMs!);
    if (after.length === 0) undecided.push(`no send after the heal of ${w.fault} at ${Math.round(w.healMs)} ms`);
    else counterexamples.push({ what: `no ok ack after the heal of ${w.fault} at ${Math.round(w.healMs)} ms (${after.length} send attempt(s) after it)`, ops: nemesis.filter((o) => o.invokeMs >= w.startMs && o.invokeMs <= w.healMs!).map((o) => o.index) });
  }
  if (windows.length === 0 && sends.length > 0 && !sends.some((o) => o.outcome === 'ok')) counterexamples.push({ what: `none of ${sends.length} send attempt(s) was acked`, ops: [] });
  const recover = windows.flatMap((w) => (w.recoverMs === null ? [] : [w.recoverMs]));
  const figures = { okShare: share(sends), sends: sends.length, windows, maxRecoverMs: recover.length ? Math.max(...recover) : null };
  const base = { checker: 'availability' as const, figures };
  if (counterexamples.length) return { ...base, verdict: 'invalid', reason: `${counterexamples.length} counterexample(s): ${counterexamples[0]!.what}`, counterexamples };
  if (undecided.length || sends.length === 0) return { ...base, verdict: 'unknown', reason: undecided[0] ?? 'no send was made', counterexamples: [] };
  return { ...base, verdict: 'valid', reason: `ok share ${figures.okShare}; recovered after each of ${windows.length} heal(s)${recover.length ? `, max ${Math.max(...recover)} ms` : ''}`, counterexamples: [] };
}
