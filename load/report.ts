import { buildReport, notesAsEvidence, plainTarget } from '../reports/build.ts';
import type { Report } from '../reports/schema.ts';
import type { RealtimeResult } from './realtime-run.ts';

/**
 * A realtime load run as a report: its one verdict is the exactly-once check (DUR-1, MSG-4, MSG-6); the
 * throughput and latency figures are measurements, kept as data and never judged.
 */
export function loadReport(run: { result: RealtimeResult; url: string; startedByHarness: boolean; startedAt: string; notes: readonly string[] }): Report {
  const { result } = run;
  const h = result.history;
  return buildReport({
    kind: 'load',
    target: plainTarget(run.url, run.startedByHarness),
    options: { level: 'must', strict: false, only: ['realtime'], repeat: 1 },
    startedAt: run.startedAt,
    results: [
      {
        id: 'EXACTLY-ONCE',
        title: `Under load (${result.config.clients} clients, ${result.config.mode}) every acked message is stored exactly once, seq strictly increasing`,
        group: 'Load',
        level: 'MUST',
        rules: ['DUR-1', 'MSG-4', 'MSG-6'],
        verdict: h.exactlyOnce ? 'pass' : 'fail',
        message: `${h.acked} acked, ${h.stored} stored: ${h.lost} lost, ${h.duplicated} duplicated, ${h.mismatched} mismatched${h.seqStrictlyIncreasing ? '' : ', seq not strictly increasing'}`,
        durationMs: Math.round(result.figures.elapsedS * 1000),
        evidence: notesAsEvidence([
          `${result.figures.ackedPerSec} acked msg/s; ack latency ms ${JSON.stringify(result.figures.ackLatencyMs)}; fan-out ms ${JSON.stringify(result.figures.fanoutLatencyMs)}`,
          ...h.firstProblems,
          ...run.notes,
        ]),
        figures: { ...result.figures, config: result.config, history: h },
      },
    ],
  });
}
