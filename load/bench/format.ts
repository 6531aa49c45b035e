import { BENCH_TABLE_HEADER, benchTableRow, LIFECYCLE_TABLE_HEADER, lifecycleTableRow, type BenchRunFigures } from '../../reports/bench-figures.ts';
import type { BenchResult, BenchRun } from './bench-run.ts';
import { describeIsolation } from './isolation.ts';

/** The bench run as text tables for the terminal (pure: result in, string out). */

const fmt = (v: number | null | undefined, unit = ''): string => (v === null || v === undefined ? '-' : `${v}${unit}`);

/** Columns padded to their widest cell. */
export function textTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A measured run as the reports layer reads it: its figures with its target and ratios. */
export function runFigures(run: BenchRun): BenchRunFigures | undefined {
  if (run.outcome.status !== 'measured' || !run.ratios) return undefined;
  return { ...run.outcome.figures, target: run.target, label: run.label, ratios: run.ratios, ...(run.roundRatios ? { roundRatios: run.roundRatios } : {}) };
}

function runRow(run: BenchRun): string[] {
  const figures = runFigures(run);
  if (figures) return benchTableRow(figures);
  const why = run.outcome.status === 'measured' ? '' : `${run.outcome.status}: ${run.outcome.reason}`;
  return [run.label, String(run.clients), ...BENCH_TABLE_HEADER.slice(2, -1).map(() => '-'), why];
}

export function formatBench(result: BenchResult): string {
  const m = result.machine;
  const c = result.config;
  const out = [
    `bench: ${c.rounds > 1 ? `${c.rounds} rounds of every target in turn, each row its median round; ` : ''}${c.durationS} s per run, closed loop, ${c.channels} public channels, ${c.workers} client worker process(es); ` +
      `${m.cpus} cores (${m.cpuModel}), ${m.memoryGb} GB, ${m.os}, Node ${m.node}, load average ${m.loadAverageAtStart} at start${c.isolation ? `; ${describeIsolation(c.isolation)}` : ''}`,
    `(×: ratio to bare Socket.IO at the same client count${c.rounds > 1 ? ' in the same round' : ''}; deliveries: message:new received by the other members of the channel; limit: which process was at 100% CPU)`,
    textTable(BENCH_TABLE_HEADER, result.runs.map(runRow)),
  ];
  const errors = result.runs.flatMap((r) =>
    r.outcome.status === 'measured' && r.outcome.figures.failed > 0
      ? [`  ${r.label}, ${r.clients} clients: ${r.outcome.figures.failed} sends not acked (${Object.entries(r.outcome.figures.errors).map(([k, v]) => `${k} ${v}`).join(', ')})`]
      : [],
  );
  if (errors.length) out.push('', 'failed sends:', ...errors);
  if (result.lifecycle.length) {
    const rows = result.lifecycle.map(({ label, outcome }) =>
      outcome.status === 'measured' ? lifecycleTableRow({ ...outcome.figures, label }) : [label, `${outcome.status}: ${outcome.reason}`, '', '', '', ''],
    );
    out.push('', textTable(LIFECYCLE_TABLE_HEADER, rows));
  }
  const s = result.supervisor;
  if (s?.status === 'measured') {
    out.push(
      '',
      `SIGKILL -> serving again under the supervisor: median ${fmt(s.figures.medianMs, ' ms')} over ${s.figures.kills} kills ` +
        `(${s.figures.servingAgainMs.join(', ')} ms; initial retry delay ${s.figures.initialRetryDelayS} s)`,
    );
  } else if (s) out.push('', `SIGKILL -> serving again under the supervisor: ${s.status}: ${s.reason}`);
  const notes = [...new Set(result.runs.flatMap((r) => r.notes.map((n) => `${r.label}: ${n}`)))];
  if (notes.length) out.push('', ...notes.map((n) => `note: ${n}`));
  return out.join('\n');
}
