import { buildReport, notesAsEvidence, plainTarget } from '../reports/build.ts';
import { renderTimeline } from '../reports/timeline.ts';
import type { CheckResult, Report } from '../reports/schema.ts';
import type { Observation } from '../reports/verdicts.ts';
import type { CheckerName, CheckerVerdict } from '../testbed/history/checkers/index.ts';
import type { RealtimeResult } from './realtime-run.ts';

/** What each history checker proves of a load run, in the words of the spec (chaos/README.md: the checkers). */
const CHECKER: Record<CheckerName, { title: string; rules: string[] }> = {
  'exactly-once': { title: 'Under load every acked message is stored exactly once, with its acked id and seq', rules: ['DUR-1', 'MSG-4', 'MSG-6'] },
  'retry-once': { title: 'Under load a message sent again with the same clientMsgId is stored at most once', rules: ['MSG-4'] },
  'seq-order': { title: 'Under load seq strictly increases: history is in seq order, no seq acked for two messages', rules: ['MSG-6', 'HIST-1'] },
  delivery: { title: 'Under load every recorded member receives each other member’s message within the delivery bound', rules: ['MSG-2'] },
  availability: { title: 'Under load sends are acked (the share of ok send attempts)', rules: ['MSG-1'] },
  'cross-node-order': { title: 'Under load every member sees each message with the seq it was stored with, no gap left open', rules: ['MSG-6'] },
};

const OBSERVED: Record<CheckerVerdict['verdict'], Observation> = { valid: 'pass', invalid: 'fail', unknown: 'inconclusive' };

/** A realtime run passes when every acked message is stored exactly once and, recorded, every checker is valid. */
export function realtimePassed(result: RealtimeResult): boolean {
  return result.history.exactlyOnce && (result.judgement === undefined || result.judgement.verdict === 'valid');
}

/** The run's throughput and latency in one line (a measurement: kept as evidence, never judged). */
function figuresLine(result: RealtimeResult): string {
  const f = result.figures;
  return `${f.ackedPerSec} acked msg/s; ack latency ms ${JSON.stringify(f.ackLatencyMs)}; fan-out ms ${JSON.stringify(f.fanoutLatencyMs)}`;
}

/**
 * A realtime load run as a report. Recorded: a MUST result per history checker (valid pass, invalid fail,
 * unknown inconclusive, which fails the run too), its counterexamples as evidence and in its figures; the
 * throughput and latency figures are kept as data on the first result and never judged. Unrecorded: the one
 * exactly-once check of the read-back history.
 */
export function loadReport(run: { result: RealtimeResult; url: string; startedByHarness: boolean; startedAt: string; notes: readonly string[] }): Report {
  const { result } = run;
  const h = result.history;
  const durationMs = Math.round(result.figures.elapsedS * 1000);
  const runFigures = { ...result.figures, config: result.config, history: h, ...(result.judgement ? { recording: result.judgement.recording } : {}) };
  const results: CheckResult[] = result.judgement
    ? result.judgement.checkers.map((c, i) => ({
        id: c.checker.toUpperCase(),
        title: CHECKER[c.checker].title,
        group: 'Load',
        level: 'MUST',
        rules: CHECKER[c.checker].rules,
        verdict: OBSERVED[c.verdict],
        message: c.reason,
        durationMs,
        evidence: notesAsEvidence([
          ...c.counterexamples.map((ce) => `counterexample: ${ce.what} (ops ${ce.ops.join(', ')})`),
          ...(i === 0 ? [figuresLine(result), ...h.firstProblems, ...run.notes] : []),
        ]),
        figures: { ...(i === 0 ? runFigures : {}), ...(c.figures ? { checker: c.figures } : {}), counterexamples: c.counterexamples },
      }))
    : [
        {
          id: 'EXACTLY-ONCE',
          title: `Under load (${result.config.clients} clients, ${result.config.mode}) every acked message is stored exactly once, seq strictly increasing`,
          group: 'Load',
          level: 'MUST',
          rules: ['DUR-1', 'MSG-4', 'MSG-6'],
          verdict: h.exactlyOnce ? 'pass' : 'fail',
          message: `${h.acked} acked, ${h.stored} stored: ${h.lost} lost, ${h.duplicated} duplicated, ${h.mismatched} mismatched${h.seqStrictlyIncreasing ? '' : ', seq not strictly increasing'}`,
          durationMs,
          evidence: notesAsEvidence([figuresLine(result), ...h.firstProblems, ...run.notes]),
          figures: runFigures,
        },
      ];
  return buildReport({
    kind: 'load',
    target: plainTarget(run.url, run.startedByHarness),
    options: { level: 'must', strict: false, only: ['realtime'], repeat: 1 },
    startedAt: run.startedAt,
    results,
  });
}

/** Sends drawn on a load run's timeline at most: every one not ok or in a counterexample, an even sample of the rest. */
export const TIMELINE_MAX_SENDS = 4_000;

/** The HTML report's timeline of a recorded run (reports/timeline.ts, as chaos draws its scenarios). */
export function loadTimelines(result: RealtimeResult): string[] {
  if (!result.recorded || !result.judgement) return [];
  return [renderTimeline({ name: 'load', endMs: result.recorded.endMs, ops: result.recorded.ops, checkers: result.judgement.checkers, maxSends: TIMELINE_MAX_SENDS })];
}
