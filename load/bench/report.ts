import { buildReport, notesAsEvidence, plainTarget } from '../../reports/build.ts';
import type { CheckResult, Report } from '../../reports/schema.ts';
import type { BenchResult, Outcome } from './bench-run.ts';
import { runFigures } from './format.ts';
import { describeIsolation } from './isolation.ts';

/**
 * A bench run as a report (kind `bench`). Nothing is judged: a measured run is `pass` with its figures, a
 * target that could not run here is `unimplemented` with the reason, one that failed is `inconclusive`.
 */

function verdictOf(outcome: Outcome<unknown>): CheckResult['verdict'] {
  return outcome.status === 'measured' ? 'pass' : outcome.status === 'skipped' ? 'unimplemented' : 'inconclusive';
}

function result(fields: Pick<CheckResult, 'id' | 'title' | 'group' | 'message'> & { outcome: Outcome<unknown>; figures?: Record<string, unknown>; notes?: readonly string[] }): CheckResult {
  const { outcome, figures, notes, ...rest } = fields;
  return {
    ...rest,
    level: 'MAY',
    rules: [],
    verdict: verdictOf(outcome),
    message: outcome.status === 'measured' ? rest.message : `${outcome.status}: ${outcome.reason}`,
    durationMs: 0,
    evidence: notesAsEvidence(notes ?? []),
    ...(figures ? { figures } : {}),
  };
}

export function benchReport(bench: BenchResult): Report {
  const results: CheckResult[] = bench.runs.map((run) => {
    const figures = runFigures(run);
    const f = run.outcome.status === 'measured' ? run.outcome.figures : undefined;
    return result({
      id: `BENCH-${run.target}-${run.clients}`,
      title: `${run.label}: ${run.clients} clients, ${bench.config.channels} channels, closed loop for ${bench.config.durationS} s${bench.config.rounds > 1 ? `, median of ${bench.config.rounds} rounds` : ''}`,
      group: 'Throughput and latency',
      message: f
        ? `${f.ackedPerSec} acked msg/s (${run.ratios?.ackedPerSec ?? '-'}× bare${run.roundRatios ? `; rounds ${run.roundRatios.map((r) => r ?? '-').join(', ')}` : ''}), ack p99 ${f.ackLatencyMs.p99} ms; ${f.limit}`
        : '',
      outcome: run.outcome,
      ...(figures ? { figures: { ...figures } } : {}),
      notes: run.notes,
    });
  });
  for (const { target, label, outcome } of bench.lifecycle) {
    const f = outcome.status === 'measured' ? outcome.figures : undefined;
    results.push(
      result({
        id: `BENCH-LIFECYCLE-${target}`,
        title: `${label}: start-up to healthy, RSS idle, at first start and per 1,000 idle sockets`,
        group: 'Start-up and memory',
        message: f ? `start on existing data ${f.restartMs} ms, idle RSS ${f.idleRssMb} MB, peak first start ${f.peakRssFirstStartMb} MB, ${f.rssPer1000SocketsMb} MB per 1,000 sockets` : '',
        outcome,
        ...(f ? { figures: { ...f, label } } : {}),
      }),
    );
  }
  if (bench.supervisor) {
    const s = bench.supervisor;
    results.push(
      result({
        id: 'BENCH-SUPERVISED-RESTART',
        title: 'SIGKILL of the reference server to serving again under the supervisor',
        group: 'Recovery',
        message: s.status === 'measured' ? `median ${s.figures.medianMs} ms over ${s.figures.kills} kills (initial retry delay ${s.figures.initialRetryDelayS} s)` : '',
        outcome: s,
        ...(s.status === 'measured' ? { figures: { ...s.figures } } : {}),
      }),
    );
  }
  const m = bench.machine;
  const machine = `machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGb} GB, ${m.os}, Node ${m.node}, load average ${m.loadAverageAtStart} at start; targets ran one after another${bench.config.isolation ? `; ${describeIsolation(bench.config.isolation)}` : ''}`;
  return buildReport({
    kind: 'bench',
    target: plainTarget('bench: servers started by sockproof on 127.0.0.1', true),
    options: { level: 'all', strict: false, only: [], repeat: 1 },
    startedAt: bench.startedAt,
    results: results.map((r) => ({ ...r, evidence: [...r.evidence, ...notesAsEvidence([machine])] })),
  });
}
