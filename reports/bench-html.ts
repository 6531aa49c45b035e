import { BENCH_TABLE_HEADER, benchLifecycles, benchRunsByClients, benchTableRow, LIFECYCLE_TABLE_HEADER, lifecycleTableRow, type BenchRunFigures } from './bench-figures.ts';
import { escapeHtml } from './escape-html.ts';
import { histogramChart, lineChart } from './plots.ts';
import type { Report } from './schema.ts';

/**
 * The bench part of report.html: per client count, the figures table (ratios to bare Socket.IO) and three
 * plots: acked messages per second over the run, ack p99 over the run, and the ack latency histogram, one
 * colour per target. Empty for reports without bench runs, so every other report's page is unchanged.
 */

function binLabel(fromMs: number, toMs: number): string {
  const ms = (v: number) => (v < 1 ? String(v) : String(Math.round(v)));
  return `${ms(fromMs)}-${ms(toMs)}`;
}

/** A table of plain-text cells, every one escaped. */
function htmlTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return (
    `<table class="bench"><thead><tr>${header.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('') +
    '</tbody></table>'
  );
}

function clientsSection(clients: number, runs: readonly BenchRunFigures[]): string {
  const table = htmlTable(BENCH_TABLE_HEADER, runs.map(benchTableRow));
  const over = (pick: (s: BenchRunFigures['series'][number]) => number | null) => runs.map((r) => ({ name: r.label, points: r.series.map((s) => [s.t, pick(s)] as const) }));
  const bins = runs[0]?.ackHistogram ?? [];
  const plots = [
    lineChart({ title: `Acked messages per second, ${clients} clients`, xLabel: 'seconds into the run', yLabel: 'acked msg/s', series: over((s) => s.ackedPerSec) }),
    lineChart({ title: `Ack latency p99 per second, ${clients} clients`, xLabel: 'seconds into the run', yLabel: 'ms', series: over((s) => s.ackP99Ms) }),
    histogramChart({
      title: `Ack latency histogram, ${clients} clients`,
      xLabel: 'ack latency, ms (bins double)',
      binLabels: bins.map((b) => binLabel(b.fromMs, b.toMs)),
      series: runs.map((r) => ({ name: r.label, counts: r.ackHistogram.map((b) => b.count) })),
    }),
  ];
  return `<h2>${clients} clients</h2>${table}<div class="plots">${plots.join('')}</div>`;
}

export function benchSection(reports: readonly Report[]): string {
  const results = reports.flatMap((r) => r.results);
  const byClients = benchRunsByClients(results);
  const lifecycles = benchLifecycles(results);
  if (!byClients.size && !lifecycles.length) return '';
  return (
    '<section class="bench"><p>Each figure with its ratio to bare Socket.IO (×) at the same client count. Plots are drawn from report.json.</p>' +
    [...byClients].map(([clients, runs]) => clientsSection(clients, runs)).join('') +
    (lifecycles.length ? `<h2>Start-up and memory</h2>${htmlTable(LIFECYCLE_TABLE_HEADER, lifecycles.map(lifecycleTableRow))}` : '') +
    '</section>'
  );
}
