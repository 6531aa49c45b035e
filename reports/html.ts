import { createHash } from 'node:crypto';
import type { CheckResult, Report, Verdict } from './schema.ts';
import { benchSection } from './bench-html.ts';
import { escapeHtml } from './escape-html.ts';
import { PAGE_SCRIPT, PAGE_STYLE } from './html-assets.ts';
import { reportHeadline } from './headline.ts';
import { targetLabel } from './target.ts';
import { outcomeWords, VERDICT_ORDER } from './verdicts.ts';

/**
 * One self-contained HTML page: a grid with a row per check (grouped) and a column per
 * target, each cell coloured by verdict; clicking a cell opens that check's evidence for that
 * target. Like Autobahn|Testsuite's agent x case matrix, several reports side by side make
 * differences between servers (or runs) visible at a glance.
 *
 * Report text is untrusted. The grid is rendered here with every datum escaped and none in
 * an attribute (cells carry only indices and classes chosen from a fixed table); evidence
 * travels as JSON in <script type="application/json"> with `<`, `>` and `&` escaped, and the
 * inline script builds the detail view with textContent. A Content-Security-Policy pinned to
 * the hashes of the inline style and script stops anything else loading or running.
 */


/** JSON that cannot close the <script> element it sits in, nor open a comment or CDATA. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Class per verdict from a fixed table, so a forged verdict string can never reach an attribute. */
const VERDICT_CLASS: Readonly<Record<Verdict, string>> = {
  pass: 'v-pass',
  'non-strict': 'v-non-strict',
  unimplemented: 'v-unimplemented',
  inconclusive: 'v-inconclusive',
  fail: 'v-fail',
};

function verdictClass(verdict: Verdict): string {
  return VERDICT_CLASS[verdict] ?? 'v-missing';
}

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** A check as it appears in a row: taken from the first report that has it. */
interface Row {
  id: string;
  title: string;
  level: string;
  group: string;
}

/** Union of all reports' checks, in first-seen order, grouped in first-seen group order. */
function rowsByGroup(reports: readonly Report[]): Map<string, Row[]> {
  const seen = new Set<string>();
  const groups = new Map<string, Row[]>();
  for (const report of reports) {
    for (const { id, title, level, group } of report.results) {
      if (seen.has(id)) continue;
      seen.add(id);
      const rows = groups.get(group) ?? [];
      rows.push({ id, title, level, group });
      groups.set(group, rows);
    }
  }
  return groups;
}

/** Per report, check id -> index into its results (the index is what a cell carries). */
function indexById(report: Report): Map<string, number> {
  return new Map(report.results.map((r, i) => [r.id, i]));
}

function targetHeader(report: Report): string {
  const s = report.summary;
  const outcome = `<span class="outcome-${report.outcome}">${escapeHtml(outcomeWords(report))}</span>`;
  const claims = report.kind !== 'conformance' ? `${escapeHtml(report.kind)} run` : report.target.specVersion === null ? 'spec not stated' : `states spec ${escapeHtml(report.target.specVersion)}`;
  return (
    `<th scope="col">${escapeHtml(targetLabel(report))}<br><small>${escapeHtml(report.target.url)}</small><br>` +
    `${outcome} ${s.pass}/${s.total} pass<br><small>${claims} · ${escapeHtml(report.startedAt)}</small></th>`
  );
}

function cell(reportIndex: number, checkIndex: number | undefined, result: CheckResult | undefined): string {
  if (checkIndex === undefined || !result) return '<td class="v-missing">not run</td>';
  const cls = verdictClass(result.verdict);
  const word = cls === 'v-missing' ? 'unknown' : result.verdict;
  return `<td class="${cls}"><button type="button" data-report="${reportIndex}" data-check="${checkIndex}">${escapeHtml(word)}</button></td>`;
}

function groupRows(group: string, rows: readonly Row[], reports: readonly Report[], indexes: readonly Map<string, number>[]): string {
  const groupCounts = reports.map((report, r) => {
    const results = rows.map((row) => report.results[indexes[r]!.get(row.id) ?? -1]).filter((x): x is CheckResult => !!x);
    return `<td>${results.filter((x) => x.verdict === 'pass').length}/${results.length} pass</td>`;
  });
  const head = `<tr class="group"><th scope="rowgroup">${escapeHtml(group)}</th>${groupCounts.join('')}</tr>`;
  const body = rows.map((row) => {
    const results = reports.map((report, r) => {
      const i = indexes[r]!.get(row.id);
      return { i, result: i === undefined ? undefined : report.results[i] };
    });
    const verdicts = new Set(results.map((x) => x.result?.verdict ?? 'missing'));
    const classes = ['check', verdicts.size === 1 && verdicts.has('pass') ? 'all-pass' : '', verdicts.size > 1 ? 'differs' : ''].filter(Boolean);
    return (
      `<tr class="${classes.join(' ')}"><th scope="row"><span class="id">${escapeHtml(row.id)}</span>${escapeHtml(row.title)}` +
      `<span class="level">${escapeHtml(row.level)}</span></th>${results.map((x, r) => cell(r, x.i, x.result)).join('')}</tr>`
    );
  });
  return `<tbody>${head}${body.join('')}</tbody>`;
}

/** `sections`: more self-contained HTML after the grid (a chaos run's timelines, reports/timeline.ts). */
export function renderHtml(reportOrReports: Report | readonly Report[], sections: readonly string[] = []): string {
  const reports: readonly Report[] = Array.isArray(reportOrReports) ? reportOrReports : [reportOrReports as Report];
  if (!reports.length) throw new Error('renderHtml needs at least one report');
  const indexes = reports.map(indexById);
  const first = reports[0]!;
  const specName = `${first.spec.name} spec ${first.spec.version}`;
  const title = `${specName} ${first.kind}: ${reports.map(targetLabel).join(' vs ')}`;
  const legend = VERDICT_ORDER.map((v) => `<span class="${verdictClass(v)}">${escapeHtml(v)}</span>`).join('');
  const csp = `default-src 'none'; style-src ${cspHash(PAGE_STYLE)}; script-src ${cspHash(PAGE_SCRIPT)}`;
  const groups = [...rowsByGroup(reports)].map(([group, rows]) => groupRows(group, rows, reports, indexes));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<h1>${escapeHtml(specName)} ${escapeHtml(first.kind)}</h1>
${reports.map((r) => `<p class="headline"><strong>${escapeHtml(targetLabel(r))}</strong>: ${escapeHtml(reportHeadline(r))}</p>`).join('\n')}
<p class="legend">Verdicts, best to worst: ${legend}</p>
${benchSection(reports)}
<p><label><input type="checkbox" id="hide-passing"> hide checks every target passes</label> · click a cell for its evidence</p>
<table class="grid">
<thead><tr><th scope="col">Check</th>${reports.map(targetHeader).join('')}</tr></thead>
${groups.join('\n')}
</table>
${sections.join('\n')}
<dialog id="detail"><button type="button" id="close-detail">Close</button><div id="detail-body"></div></dialog>
<script type="application/json" id="report-data">${jsonForScript(reports)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
