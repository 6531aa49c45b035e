/**
 * The one redaction of URLs for every error, log line and report (AUTH-8, OPS-1): the reference
 * server, the harness and the chaos tools all print URLs through these, so a password never
 * leaves in one of them.
 */

const MASK = '***';
/** Query parameters that carry credentials (libpq's `?password=`, tokens in JWKS URLs, …). */
const SECRET_PARAM = /pass|secret|token|key|auth|sig/i;

/**
 * A URL fit to print: its password and any credential-looking query parameter replaced by ***.
 * A string that does not parse as a URL with a host is not printed at all: it may hold a
 * credential in a shape no parser recognises (`admin:S3cret@db`).
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(unparsable URL)';
  }
  if (!parsed.host) return '(URL without a host)';
  if (parsed.password) parsed.password = MASK;
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, MASK);
  }
  // URLSearchParams.set percent-encodes the mask; keep it readable.
  return parsed.toString().replaceAll(encodeURIComponent(MASK), MASK);
}

// scheme://… up to whitespace or a quote: what a URL looks like inside free text.
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;
// user:password@ that survived (an unparsable URL-like token): the part between : and @ goes.
const USERINFO_IN_TEXT = /(\/\/[^\s/:@"']*):[^\s/@"']*@/g;

/** Free text (an error message, a log line) with every URL in it passed through redactUrl. */
export function redactUrlsIn(text: string): string {
  return text
    .replace(URL_IN_TEXT, (url) => {
      const shown = redactUrl(url);
      if (shown.startsWith('(')) return url.replace(USERINFO_IN_TEXT, `$1:${MASK}@`);
      // Left as written unless something was hidden: the parser's normal form only adds noise.
      return shown.includes(MASK) ? shown : url;
    })
    .replace(USERINFO_IN_TEXT, `$1:${MASK}@`);
}
