/**
 * Text safety (TEXT-1..TEXT-5): user text is plain text. It is normalised, stored as text,
 * and published alongside an HTML-entity-encoded form that is inert in an HTML text or
 * attribute context. Pure functions: the reference server, the checks and the properties
 * all use these, so "the spec's normalisation" has exactly one definition.
 */

// Unicode general category Cc: C0 controls, DEL and C1 controls, except TAB and LF.
const CONTROL_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/**
 * Removes control characters (keeping newline and tab), replaces lone surrogates with
 * U+FFFD, then applies NFC. Controls go first: removing one after NFC could join two
 * code points that NFC would then compose, and normalising twice would not be a no-op.
 */
export function normalizeText(input: string): string {
  return input.replace(CONTROL_CHARS, '').toWellFormed().normalize('NFC');
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Entity-encodes the five characters that carry meaning in HTML text and attributes. */
export function encodeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch] ?? ch);
}

// Any control character (Cc), TAB and LF included: none belongs in an identifier or a URL.
const ANY_CONTROL_CHAR = /[\u0000-\u001F\u007F-\u009F]/;

/**
 * A string fit to be an identifier or a URL and to reach a store as it is (TEXT-6): no control
 * character and no lone surrogate. PostgreSQL text cannot hold NUL and UTF-8 cannot encode a lone
 * surrogate, so such strings are refused at the edge instead of failing deep in a dependency.
 */
export function isPlainString(s: string): boolean {
  return !ANY_CONTROL_CHAR.test(s) && s.isWellFormed();
}
export const PLAIN_STRING_MESSAGE = 'must not contain control characters or lone surrogates';

/** The first `max` code points of a string (never splitting a surrogate pair). */
export function firstCodePoints(text: string, max: number): string {
  let out = '';
  let n = 0;
  for (const cp of text) {
    if (n++ === max) break;
    out += cp;
  }
  return out;
}

/** Length in Unicode code points, the unit every text limit of the spec is stated in. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
