import type { CheckResult, Report } from './schema.ts';
import { describeCounterexample, describeEvidence } from './evidence-text.ts';
import { targetLabel } from './target.ts';

/**
 * JUnit XML for CI test reporters. One <testsuite> per check group, one <testcase> per check
 * (classname = group, name = "id title"), so CI UIs list checks the way SPEC.md groups rules.
 *
 *   fail          -> <failure message type=level>   (red)
 *   inconclusive  -> <error message>                (the harness could not decide: also red, never hidden)
 *   unimplemented -> <skipped message>              (not run against this target)
 *   non-strict    -> passed, with a "NON-STRICT:" line first in <system-out>
 *
 * Why non-strict passes rather than skips: the check ran and the target met every rule the
 * chosen strictness requires (with --strict the harness already reports a SHOULD miss as
 * fail). <skipped> would file it among checks that never ran and undercount coverage; JUnit
 * has no "warning" state, so the note in system-out carries it.
 */

/** Evidence lines per testcase; beyond that, report.json has the rest. */
const MAX_EVIDENCE_LINES = 50;

/**
 * Characters XML 1.0 forbids even as character references: C0 controls other than tab, LF
 * and CR; U+FFFE/U+FFFF; unpaired surrogates. They are shown as visible \uXXXX text instead,
 * since a target sending them is itself worth seeing.
 */
const XML_FORBIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(text: string): string {
  return text.replace(XML_FORBIDDEN, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Escapes element content. CR is a reference so XML's newline normalisation keeps it. */
export function escapeXmlText(text: string): string {
  return visible(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Escapes an attribute value (double-quoted); whitespace as references so attribute normalisation keeps it. */
export function escapeXmlAttr(text: string): string {
  return escapeXmlText(text).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => ` ${k}="${escapeXmlAttr(String(v))}"`)
    .join('');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** The plain-text story of one check: verdict, message, rules, evidence, counterexample. */
export function checkSummaryText(check: CheckResult): string {
  const lines: string[] = [];
  if (check.verdict === 'non-strict') {
    const strictNote = check.level === 'SHOULD' ? ' (with --strict it would)' : '';
    lines.push(`NON-STRICT: a ${check.level} rule is not met; that does not fail conformance${strictNote}.`);
  }
  lines.push(`verdict: ${check.verdict} (${check.level}); rules: ${check.rules.join(', ') || 'none'}`);
  lines.push(`message: ${check.message}`);
  if (check.repeats) lines.push(`repeats: ${check.repeats.join(', ')}`);
  if (check.counterexample) lines.push(describeCounterexample(check.counterexample));
  const shown = check.evidence.slice(0, MAX_EVIDENCE_LINES);
  lines.push(check.evidence.length ? `evidence (${check.evidence.length} items):` : 'evidence: none');
  for (const e of shown) lines.push(`  ${describeEvidence(e)}`);
  const hidden = check.evidence.length - shown.length;
  if (hidden > 0) lines.push(`  ... ${hidden} more in report.json`);
  return lines.join('\n');
}

function outcomeElement(check: CheckResult): string {
  switch (check.verdict) {
    case 'fail': {
      const body = check.counterexample ? escapeXmlText(describeCounterexample(check.counterexample)) : '';
      return `      <failure${attrs({ message: check.message, type: check.level })}>${body}</failure>\n`;
    }
    case 'inconclusive':
      return `      <error${attrs({ message: check.message, type: 'inconclusive' })}/>\n`;
    case 'unimplemented':
      return `      <skipped${attrs({ message: check.message })}/>\n`;
    case 'pass':
    case 'non-strict':
      return '';
  }
}

function testcase(check: CheckResult): string {
  return (
    `    <testcase${attrs({ classname: check.group, name: `${check.id} ${check.title}`, time: seconds(check.durationMs) })}>\n` +
    outcomeElement(check) +
    `      <system-out>${escapeXmlText(checkSummaryText(check))}</system-out>\n` +
    '    </testcase>\n'
  );
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  time: string;
}

function count(checks: readonly CheckResult[]): Counts {
  return {
    tests: checks.length,
    failures: checks.filter((c) => c.verdict === 'fail').length,
    errors: checks.filter((c) => c.verdict === 'inconclusive').length,
    skipped: checks.filter((c) => c.verdict === 'unimplemented').length,
    time: seconds(checks.reduce((sum, c) => sum + c.durationMs, 0)),
  };
}

/** Groups in order of first appearance, so output follows the run (and SPEC.md) order. */
export function groupChecks(results: readonly CheckResult[]): Map<string, CheckResult[]> {
  const groups = new Map<string, CheckResult[]>();
  for (const r of results) {
    const list = groups.get(r.group);
    if (list) list.push(r);
    else groups.set(r.group, [r]);
  }
  return groups;
}

export function renderJUnit(report: Report): string {
  const properties =
    '    <properties>\n' +
    [
      ['target', report.target.url],
      ['implementation', targetLabel(report)],
      ['spec', `${report.spec.name} spec ${report.spec.version}`],
      ['outcome', report.outcome],
      ['strict', String(report.options.strict)],
    ]
      .map(([name, value]) => `      <property${attrs({ name: name!, value: value! })}/>\n`)
      .join('') +
    '    </properties>\n';
  const suites = [...groupChecks(report.results)].map(
    ([group, checks]) =>
      `  <testsuite${attrs({ name: group, ...count(checks), timestamp: report.startedAt })}>\n` +
      properties +
      checks.map(testcase).join('') +
      '  </testsuite>\n',
  );
  const name = `${report.spec.name} spec ${report.spec.version} ${report.kind}: ${targetLabel(report)}`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites${attrs({ name, ...count(report.results), timestamp: report.startedAt })}>\n` +
    suites.join('') +
    '</testsuites>\n'
  );
}
