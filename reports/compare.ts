import type { CheckResult, Level, Report, Verdict } from './schema.ts';
import { verdictRank, VERDICT_ORDER } from './verdicts.ts';
import { targetLabel } from './target.ts';

/**
 * Compares two reports, A (before) and B (after), check by check (matched by id). A
 * regression is a check present in both whose verdict moved down VERDICT_ORDER
 * (pass > non-strict > unimplemented > inconclusive > fail); an improvement moved up. Checks
 * only in B are "added" and only in A "removed": they are listed, but they are not
 * regressions, because a spec or harness that grew or shrank is not the target getting worse.
 */

export interface VerdictChange {
  id: string;
  title: string;
  group: string;
  level: Level;
  before: Verdict;
  after: Verdict;
  /** B's message: what the reader needs to act on now. */
  message: string;
}

export interface CheckRef {
  id: string;
  title: string;
  level: Level;
  verdict: Verdict;
}

export interface Comparison {
  before: { target: string; url: string; spec: string; startedAt: string; outcome: Report['outcome'] };
  after: { target: string; url: string; spec: string; startedAt: string; outcome: Report['outcome'] };
  regressions: VerdictChange[];
  improvements: VerdictChange[];
  added: CheckRef[];
  removed: CheckRef[];
  unchanged: number;
}

function side(report: Report): Comparison['before'] {
  return {
    target: targetLabel(report),
    url: report.target.url,
    spec: `${report.spec.name} ${report.spec.version}`,
    startedAt: report.startedAt,
    outcome: report.outcome,
  };
}

function ref(c: CheckResult): CheckRef {
  return { id: c.id, title: c.title, level: c.level, verdict: c.verdict };
}

export function compareReports(before: Report, after: Report): Comparison {
  const beforeById = new Map(before.results.map((c) => [c.id, c]));
  const afterIds = new Set(after.results.map((c) => c.id));
  const result: Comparison = {
    before: side(before),
    after: side(after),
    regressions: [],
    improvements: [],
    added: [],
    removed: before.results.filter((c) => !afterIds.has(c.id)).map(ref),
    unchanged: 0,
  };
  for (const b of after.results) {
    const a = beforeById.get(b.id);
    if (!a) {
      result.added.push(ref(b));
      continue;
    }
    const step = verdictRank(b.verdict) - verdictRank(a.verdict);
    if (step === 0) {
      result.unchanged++;
      continue;
    }
    const change = { id: b.id, title: b.title, group: b.group, level: b.level, before: a.verdict, after: b.verdict, message: b.message };
    (step > 0 ? result.regressions : result.improvements).push(change);
  }
  // Worst landing first: a new fail matters more than a pass turned non-strict.
  result.regressions.sort((x, y) => verdictRank(y.after) - verdictRank(x.after) || x.id.localeCompare(y.id));
  result.improvements.sort((x, y) => verdictRank(x.after) - verdictRank(y.after) || x.id.localeCompare(y.id));
  return result;
}

export function hasRegressions(c: Comparison): boolean {
  return c.regressions.length > 0;
}

/** Keeps untrusted report text on one terminal line without control sequences. */
function plain(text: string): string {
  return text.replace(/[\u0000-\u001F\u007F-\u009F]+/g, ' ');
}

function changeLine(c: VerdictChange): string {
  return `  ${plain(c.id)} ${plain(c.title)} [${c.level}]: ${c.before} -> ${c.after}${c.message ? ` (${plain(c.message)})` : ''}`;
}

function refLine(c: CheckRef): string {
  return `  ${plain(c.id)} ${plain(c.title)} [${c.level}]: ${c.verdict}`;
}

/** The comparison for a terminal or a CI log. */
export function formatComparison(c: Comparison): string {
  const lines = [
    `before: ${plain(c.before.target)} (${plain(c.before.url)}), ${plain(c.before.spec)}, ${c.before.startedAt}, outcome ${c.before.outcome}`,
    `after:  ${plain(c.after.target)} (${plain(c.after.url)}), ${plain(c.after.spec)}, ${c.after.startedAt}, outcome ${c.after.outcome}`,
  ];
  if (c.before.spec !== c.after.spec) lines.push('note: the reports are against different spec versions');
  const section = (title: string, items: string[]) => {
    if (items.length) lines.push('', `${title} (${items.length}):`, ...items);
  };
  section('REGRESSIONS', c.regressions.map(changeLine));
  section('improvements', c.improvements.map(changeLine));
  section('new checks', c.added.map(refLine));
  section('removed checks', c.removed.map(refLine));
  lines.push(
    '',
    `${c.regressions.length} regressed, ${c.improvements.length} improved, ${c.added.length} new, ${c.removed.length} removed, ${c.unchanged} unchanged` +
      ` (verdict order: ${VERDICT_ORDER.join(' > ')})`,
  );
  return `${lines.join('\n')}\n`;
}
