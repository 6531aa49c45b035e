import { parseFragment } from 'parse5';
import { MessageText } from '../events.ts';
import { normalizeText } from '../text.ts';

/**
 * The text-safety judgement (TEXT-1..3), pure: given what was sent and the `text` and `html` the
 * target returned, is the text the input normalised, is the html inert, and is it the same text?
 */
export type TextJudgement = { ok: true } | { ok: false; why: string };

/** Whether the spec requires the target to accept this input as message text (MSG-3). */
export function acceptableText(input: string): boolean {
  return MessageText.safeParse(input).success;
}

/** Parses html as an HTML fragment (in a <body>, as a page would show it) and returns its node kinds and text. */
export function fragmentText(html: string): { text: string; elements: string[] } {
  const fragment = parseFragment(html);
  const elements: string[] = [];
  let text = '';
  const walk = (nodes: ReadonlyArray<{ nodeName: string }>) => {
    for (const node of nodes) {
      if (node.nodeName === '#text') text += (node as unknown as { value: string }).value;
      else elements.push(node.nodeName);
      const children = (node as { childNodes?: ReadonlyArray<{ nodeName: string }> }).childNodes;
      if (children) walk(children);
    }
  };
  walk(fragment.childNodes);
  return { text, elements };
}

/** Judges one returned {text, html} pair against the input that was sent. */
export function judgeSafeText(input: string, returned: { text: string; html: string }): TextJudgement {
  const expected = normalizeText(input);
  if (returned.text !== expected) return { ok: false, why: `text ${JSON.stringify(returned.text)} is not the normalised input ${JSON.stringify(expected)}` };
  if (normalizeText(returned.text) !== returned.text) return { ok: false, why: 'normalising the returned text changes it' };
  const parsed = fragmentText(returned.html);
  if (parsed.elements.length > 0) return { ok: false, why: `html parses to elements (${parsed.elements.slice(0, 5).join(', ')}), not text only` };
  // The HTML parser turns CR and CRLF into LF and U+0000 into U+FFFD in text, by the standard's preprocessing.
  const expectedParsed = returned.text.replace(/\r\n?/g, '\n').replace(/\u0000/g, '\ufffd');
  if (parsed.text !== expectedParsed) return { ok: false, why: `html reads as ${JSON.stringify(parsed.text)}, not as the text` };
  return { ok: true };
}
