import fc from 'fast-check';
import { parseFragment } from 'parse5';
import { describe, expect, it } from 'vitest';
import { codePointLength, encodeHtml, normalizeText } from '../text.ts';

type Node = { nodeName: string; value?: string; childNodes?: Node[] };

/** The text of a fragment when it holds text nodes only; null when it holds anything else. */
function textOnly(html: string): string | null {
  const fragment = parseFragment(html) as unknown as Node;
  let text = '';
  for (const node of fragment.childNodes ?? []) {
    if (node.nodeName !== '#text') return null;
    text += node.value ?? '';
  }
  return text;
}

const hostile = fc.constantFrom(
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<scr<script>ipt>',
  '<svg/onload=alert(1)>',
  '<a href="jav&#x09;ascript:alert(1)">x</a>',
  '"><iframe src=javascript:alert(1)>',
  "'-alert(1)-'",
  '&lt;already&gt;',
  '<math><mi xlink:href="data:x,<script>alert(1)</script>">',
);

describe('text safety (TEXT-1..3), pure', () => {
  it('normalising twice changes nothing', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => normalizeText(normalizeText(s)) === normalizeText(s)), { numRuns: 2000 });
  });

  it('leaves no control character but tab and newline, and no lone surrogate', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const n = normalizeText(s);
        return !/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/.test(n) && n.isWellFormed();
      }),
      { numRuns: 2000 },
    );
  });

  it('html parses to text nodes only, whose text is the text', () => {
    const input = fc.oneof(fc.string({ unit: 'binary' }), hostile, fc.array(fc.oneof(hostile, fc.string()), { maxLength: 6 }).map((a) => a.join('')));
    fc.assert(
      fc.property(input, (s) => {
        const text = normalizeText(s);
        return textOnly(encodeHtml(text)) === text;
      }),
      { numRuns: 1500 },
    );
  });

  it('keeps markup as text instead of stripping it (TEXT-2)', () => {
    expect(normalizeText('<script>x</script>')).toBe('<script>x</script>');
    expect(encodeHtml('<a href="x">\'&')).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
    expect(normalizeText('e\u0301\r\n\u0000ok')).toBe('é\nok');
    expect(codePointLength('😀a')).toBe(2);
  });
});
