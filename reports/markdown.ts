import { RECOVERY_TABLE_HEADER, recoveryBoundsLine, recoveryOf, recoveryRows } from './recovery-table.ts';
import { BENCH_TABLE_HEADER, benchLifecycles, benchRunsByClients, benchTableRow, LIFECYCLE_TABLE_HEADER, lifecycleTableRow } from './bench-figures.ts';
import type { CheckResult, Report } from './schema.ts';
import { byVerdict, outcomeWords, VERDICT_SYMBOL } from './verdicts.ts';
import { targetLabel } from './target.ts';
import { reportHeadline } from './headline.ts';

/**
 * A Markdown summary for a CI job summary ($GITHUB_STEP_SUMMARY) or a README: the outcome
 * first, the counts, then what needs attention (non-passing checks, worst first), then every
 * check folded away in <details>. Everything taken from the report is escaped: it holds
 * whatever the target sent.
 */

/** Messages are one table cell; the full text is in report.json and report.html. */
const MAX_CELL_CHARS = 300;

/**
 * Makes untrusted text inert inline Markdown on one line: HTML-special characters become
 * entities (GitHub renders raw HTML), Markdown punctuation is backslash-escaped (CommonMark
 * treats any escaped ASCII punctuation as a literal), `|` cannot end a table cell, and line
 * breaks and control characters cannot start a new block.
 */
export function escapeMarkdown(text: string, max = Infinity): string {
  let flat = text.replace(/[\u0000-\u001F\u007F]+/g, ' ');
  if (flat.length > max) flat = `${flat.slice(0, max - 1)}…`;
  return flat
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+!|~]/g, '\\$&');
}

function verdictCell(check: CheckResult): string {
  return `${VERDICT_SYMBOL[check.verdict]} ${check.verdict}`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function countsLine(report: Report): string {
  const s = report.summary;
  return (
    `**${s.total}** checks: ${VERDICT_SYMBOL.pass} ${s.pass} pass · ${VERDICT_SYMBOL.fail} ${s.fail} fail · ` +
    `${VERDICT_SYMBOL['non-strict']} ${s.nonStrict} non-strict · ${VERDICT_SYMBOL.unimplemented} ${s.unimplemented} unimplemented · ` +
    `${VERDICT_SYMBOL.inconclusive} ${s.inconclusive} inconclusive`
  );
}

function optionsLine(report: Report): string {
  const o = report.options;
  const seconds = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
  const parts = [
    `level ${o.level}`,
    o.strict ? 'strict' : 'not strict',
    o.repeat > 1 ? `repeat ${o.repeat}` : null,
    o.only.length ? `only ${o.only.join(', ')}` : null,
    `${seconds.toFixed(1)} s`,
    `${report.tool.name} ${report.tool.version}`,
    report.startedAt,
  ].filter((p): p is string => p !== null);
  return escapeMarkdown(parts.join(' · '));
}

function notPassingTable(report: Report): string[] {
  const notPassing = report.results.filter((c) => c.verdict !== 'pass').sort((a, b) => byVerdict(b.verdict, a.verdict));
  if (!notPassing.length) return ['All checks pass.'];
  return [
    `#### Not passing (${notPassing.length})`,
    '',
    row(['Verdict', 'Level', 'Check', 'Rules', 'Message']),
    row(['---', '---', '---', '---', '---']),
    ...notPassing.map((c) =>
      row([
        verdictCell(c),
        c.level,
        `**${escapeMarkdown(c.id)}** ${escapeMarkdown(c.title)}`,
        escapeMarkdown(c.rules.join(', ')),
        escapeMarkdown(c.message, MAX_CELL_CHARS),
      ]),
    ),
  ];
}

function fullTable(report: Report): string[] {
  return [
    `<details><summary>All ${report.results.length} checks</summary>`,
    '',
    row(['Check', 'Group', 'Level', 'Verdict', 'Title']),
    row(['---', '---', '---', '---', '---']),
    ...report.results.map((c) => row([escapeMarkdown(c.id), escapeMarkdown(c.group), c.level, verdictCell(c), escapeMarkdown(c.title)])),
    '',
    '</details>',
  ];
}

/** A bench run's figures, one table per client count; nothing for other reports. */
function benchTables(report: Report): string[] {
  const byClients = benchRunsByClients(report.results);
  return [...byClients].flatMap(([clients, runs]) => [
    `#### ${clients} clients (× ratio to bare Socket.IO)`,
    '',
    row(BENCH_TABLE_HEADER.map((h) => escapeMarkdown(h))),
    row(BENCH_TABLE_HEADER.map(() => '---')),
    ...runs.map((r) => row(benchTableRow(r).map((c) => escapeMarkdown(c, MAX_CELL_CHARS)))),
    '',
  ]).concat(lifecycleTable(report));
}

function lifecycleTable(report: Report): string[] {
  const rows = benchLifecycles(report.results);
  if (!rows.length) return [];
  return [
    '#### Start-up and memory',
    '',
    row(LIFECYCLE_TABLE_HEADER.map((h) => escapeMarkdown(h))),
    row(LIFECYCLE_TABLE_HEADER.map(() => '---')),
    ...rows.map((f) => row(lifecycleTableRow(f).map((c) => escapeMarkdown(c, MAX_CELL_CHARS)))),
    '',
  ];
}

/** Recovery per heal of each nemesis run on a deployment (reports/recovery-table.ts); nothing for other reports. */
function recoveryTables(report: Report): string[] {
  return report.results.flatMap((c) => {
    const r = recoveryOf(c.figures);
    if (!r) return [];
    return [
      `#### Recovery after each heal: ${escapeMarkdown(c.id)}`,
      '',
      row(RECOVERY_TABLE_HEADER.map((h) => escapeMarkdown(h))),
      row(RECOVERY_TABLE_HEADER.map(() => '---')),
      ...recoveryRows(r).map((cells) => row(cells.map((cell) => escapeMarkdown(cell)))),
      '',
      escapeMarkdown(recoveryBoundsLine(r)),
      '',
    ];
  });
}

export function renderMarkdown(report: Report): string {
  const outcome = `${VERDICT_SYMBOL[report.outcome]} ${outcomeWords(report)}`;
  const heading =
    `### ${outcome}: ${escapeMarkdown(`${report.spec.name} spec ${report.spec.version}`)} — ` +
    escapeMarkdown(targetLabel(report)) +
    (report.target.implementation ? ` (${escapeMarkdown(report.target.url)})` : '');
  return [heading, '', `**${escapeMarkdown(reportHeadline(report))}**`, '', countsLine(report), '', optionsLine(report), '', ...benchTables(report), ...recoveryTables(report), ...notPassingTable(report), '', ...fullTable(report), ''].join('\n');
}
