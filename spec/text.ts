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

/** Length in Unicode code points, the unit every text limit of the spec is stated in. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
