import { describe, expect, it } from 'vitest';
import { escapeMarkdown, renderMarkdown } from '../markdown.ts';
import { HOSTILE, check, mixedReport, report } from './fixtures.ts';

/** Cells of a GFM table row: split on pipes that are not backslash-escaped. */
function cells(line: string): string[] {
  return line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
}

describe('Markdown summary', () => {
  const md = renderMarkdown(mixedReport());
  const lines = md.split('\n');

  it('leads with the outcome line and the counts', () => {
    expect(lines[0]).toBe('### ❌ not conformant: sockproof spec 1.0 — reference 0.1.0 (http://127.0.0.1:3000)');
    expect(md).toContain('**5** checks: ✅ 1 pass · ❌ 1 fail · ⚠️ 1 non-strict · ➖ 1 unimplemented · ❓ 1 inconclusive');
    expect(md).toContain('level all · not strict · 12.5 s · sockproof 0.1.0');
  });

  it('tables non-passing checks worst first, with level, rules and message, then all checks folded', () => {
    const start = lines.indexOf('#### Not passing (4)');
    const rows = lines.slice(start + 4, start + 8).map(cells);
    expect(rows.map((r) => r[0])).toEqual(['❌ fail', '❓ inconclusive', '➖ unimplemented', '⚠️ non-strict']);
    expect(rows[0]).toEqual(['❌ fail', 'MUST', '**AUTH-1** title of AUTH-1', 'AUTH-1, AUTH-3', 'accepted an expired token']);
    expect(md).toContain('<details><summary>All 5 checks</summary>');
    expect(lines.filter((l) => l.startsWith('| TRN-1 |'))).toHaveLength(1);
  });

  it('says so when everything passes', () => {
    expect(renderMarkdown(report([check('TRN-1', 'pass')]))).toContain('All checks pass.');
  });

  it('keeps hostile text in its cell, on one line, with no live markup', () => {
    const out = renderMarkdown(report([check('TEXT-1', 'fail', { title: HOSTILE, message: HOSTILE })]));
    const rows = out.split('\n').filter((l) => l.startsWith('| ❌'));
    expect(rows).toHaveLength(1);
    expect(cells(rows[0]!)).toHaveLength(5);
    expect(out).not.toMatch(/<(?!details|\/details|summary|\/summary)/);
    expect(escapeMarkdown('a|b *c* `d` [e](f) <g> & _h_')).toBe('a\\|b \\*c\\* \\`d\\` \\[e\\]\\(f\\) &lt;g&gt; &amp; \\_h\\_');
  });
});
