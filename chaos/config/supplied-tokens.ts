import { z } from 'zod';
import type { RunUser } from '../../testbed/targets/token-source.ts';

/**
 * Tokens the operator supplied (`"auth": {"kind": "tokens"}`): a file holding a JSON array, or JSON lines, of
 * `{"sub"?, "token"}`, one per distinct user of the run. Pure: reading the file is load-config.ts. Every
 * problem names the entry (its index and sub), never a token: a token is a credential.
 */

/** One entry of the file. A token is any non-blank string without whitespace (a JWT, or an opaque token). */
const SuppliedToken = z
  .object({
    sub: z.string().min(1).max(128).optional(),
    token: z.string().regex(/^\S{8,}$/, 'a token: at least 8 characters, no whitespace'),
  })
  .strict();

/** What can be read of a JWT's payload without its key: who it names and when it expires (seconds). */
export interface TokenClaims {
  sub: string | undefined;
  exp: number | undefined;
}

/** The unverified `sub` and `exp` of a JWT-shaped token, or undefined when it is not one (an opaque token). */
export function readClaims(token: string): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    if (typeof payload !== 'object' || payload === null) return undefined;
    const { sub, exp } = payload as { sub?: unknown; exp?: unknown };
    return { sub: typeof sub === 'string' && sub !== '' ? sub : undefined, exp: typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined };
  } catch {
    return undefined;
  }
}

/** A supplied user with when its token expires (ms since the epoch), when its payload says. */
export interface SuppliedUser extends RunUser {
  expiresAt: number | undefined;
}

/** The entries of the file's text: a JSON array, or one JSON object per line. Errors quote no text (it holds tokens). */
function entriesOf(text: string): { entries: Array<{ at: string; value: unknown }> } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { error: 'it holds no token' };
  if (trimmed.startsWith('[')) {
    try {
      const array = JSON.parse(trimmed) as unknown[];
      return { entries: array.map((value, i) => ({ at: `entry ${i}`, value })) };
    } catch {
      return { error: 'not a valid JSON array' };
    }
  }
  const entries: Array<{ at: string; value: unknown }> = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    try {
      entries.push({ at: `line ${i + 1}`, value: JSON.parse(line) });
    } catch {
      return { error: `line ${i + 1} is not JSON (a JSON array, or one {"sub", "token"} object per line)` };
    }
  }
  return { entries };
}

/**
 * The users of a token file, each distinct, their tokens unexpired at `nowMs`; or every problem, one line each.
 * The sub is the entry's `sub`, else the one the token's payload names; both given, they must agree.
 */
export function parseSuppliedTokens(text: string, nowMs: number): { users: SuppliedUser[]; issues: [] } | { users: undefined; issues: string[] } {
  const read = entriesOf(text);
  if ('error' in read) return { users: undefined, issues: [read.error] };
  const issues: string[] = [];
  const users: SuppliedUser[] = [];
  const subs = new Map<string, string>();
  const tokens = new Map<string, string>();
  for (const { at, value } of read.entries) {
    const parsed = SuppliedToken.safeParse(value);
    if (!parsed.success) {
      issues.push(...parsed.error.issues.map((i) => `${at}${i.path.length ? ` ${i.path.join('.')}` : ''}: ${i.message}`));
      continue;
    }
    const { token } = parsed.data;
    const claims = readClaims(token);
    const sub = parsed.data.sub ?? claims?.sub;
    if (sub === undefined) {
      issues.push(`${at}: give its "sub": the token's payload names none that can be read`);
      continue;
    }
    if (parsed.data.sub !== undefined && claims?.sub !== undefined && claims.sub !== parsed.data.sub) {
      issues.push(`${at}: "sub" is "${parsed.data.sub}" but its token names "${claims.sub}"`);
      continue;
    }
    const expired = expiryIssue(claims, nowMs);
    if (expired) issues.push(`${at} (sub ${sub}): ${expired}`);
    if (subs.has(sub)) issues.push(`${at}: sub ${sub} is also ${subs.get(sub)}; each token is a distinct user`);
    else if (tokens.has(token)) issues.push(`${at}: the same token as ${tokens.get(token)}; each token is a distinct user`);
    subs.set(sub, at);
    tokens.set(token, at);
    users.push({ sub, token, expiresAt: claims?.exp === undefined ? undefined : claims.exp * 1000 });
  }
  if (issues.length > 0) return { users: undefined, issues };
  if (users.length === 0) return { users: undefined, issues: ['it holds no token'] };
  return { users, issues: [] };
}

/** Why a token whose payload says when it expires cannot be used at `nowMs`, or undefined. */
export function expiryIssue(claims: TokenClaims | undefined, nowMs: number): string | undefined {
  if (claims?.exp === undefined || claims.exp * 1000 > nowMs) return undefined;
  return `the token expired at ${new Date(claims.exp * 1000).toISOString()}; supply a fresh one`;
}
