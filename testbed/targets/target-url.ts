import { isIP } from 'node:net';

/**
 * Target URL rules for load and chaos runs (pure). Traffic goes to loopback unless the operator says
 * `--allow-remote`: a harness that floods whatever URL it is handed is a denial-of-service tool.
 */
export class TargetUrlError extends Error {
  override name = 'TargetUrlError';
}

/** True for 127.0.0.0/8, ::1 (also IPv4-mapped ::ffff:127.x) and the name `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const v = isIP(host);
  if (v === 4) return host.split('.')[0] === '127';
  if (v === 6) {
    if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    return mapped ? mapped[1]!.split('.')[0] === '127' : false;
  }
  return false;
}

/** Parses `--target`: an http(s) URL with a host; non-loopback only with `allowRemote`. Returns the origin. */
export function parseTargetUrl(raw: string, allowRemote: boolean): URL {
  if (!URL.canParse(raw)) throw new TargetUrlError(`--target takes a URL such as http://127.0.0.1:8765, got "${raw}"`);
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetUrlError(`--target must be an http: or https: URL, got "${url.protocol}"`);
  if (!url.hostname) throw new TargetUrlError(`--target has no host: "${raw}"`);
  if (!allowRemote && !isLoopbackHost(url.hostname)) {
    throw new TargetUrlError(`--target ${url.host} is not a loopback address (127.0.0.0/8, ::1, localhost); pass --allow-remote to run against it`);
  }
  return new URL(url.origin);
}
