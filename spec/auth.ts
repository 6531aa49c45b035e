import { z } from 'zod';
import { NAME_MAX_CODE_POINTS } from './limits.ts';
import { firstCodePoints, isPlainString, normalizeText, PLAIN_STRING_MESSAGE } from './text.ts';

export const Role = z.enum(['member', 'moderator', 'admin']);
export type Role = z.infer<typeof Role>;

/** Algorithms a server may accept (AUTH-2): HS256 with a shared secret, RS256/ES256 from a JWKS. */
export const SECRET_ALGORITHMS = ['HS256'] as const;
export const JWKS_ALGORITHMS = ['RS256', 'ES256'] as const;

/** The shortest HS256 secret a server accepts and the harness uses, counted in UTF-8 bytes (AUTH-2, CFG-4). */
export const HS256_SECRET_MIN_BYTES = 32;
export const HS256_SECRET_RULE = `at least ${HS256_SECRET_MIN_BYTES} bytes (UTF-8)`;
export function isLongEnoughSecret(secret: string): boolean {
  return Buffer.byteLength(secret, 'utf8') >= HS256_SECRET_MIN_BYTES;
}

/** A user id: it reaches the store as it is, so it is a plain string (TEXT-6). */
export const UserId = z.string().min(1).max(128).refine(isPlainString, `user id ${PLAIN_STRING_MESSAGE}`);
export type UserId = z.infer<typeof UserId>;

/** The claims a server reads from `auth.token` (AUTH-4). Signature and time claims are jose's job. */
export const TokenClaims = z.object({
  sub: UserId,
  name: z.string().min(1).max(4 * NAME_MAX_CODE_POINTS).optional(),
  roles: z.array(Role).max(3).default(['member']),
  exp: z.number(),
});
export type TokenClaims = z.infer<typeof TokenClaims>;

/**
 * The display name of a token without a `name` claim (AUTH-4): its `sub`, cut to the longest
 * display name (a `sub` may be longer than a name may be). Cut after normalising, which may
 * lengthen a string (NFC expands a few code points), so the result is always a valid name.
 */
export function defaultDisplayName(sub: string): string {
  return firstCodePoints(normalizeText(sub), NAME_MAX_CODE_POINTS);
}

/** The handshake's `auth` object (AUTH-1). */
export const HandshakeAuth = z.object({ token: z.string().min(1).max(8192) });

/**
 * What a client adds to `auth` to recover its session (SES-5): Socket.IO's private session id and
 * the offset of the last broadcast it received. A claim only: it is honoured for the session's own
 * user, after the handshake is accepted (SES-6, SES-7).
 */
export const RecoveryClaim = z.object({ pid: z.string().min(1).max(64), offset: z.string().min(1).max(64) });
export type RecoveryClaim = z.infer<typeof RecoveryClaim>;

export function canModerate(roles: readonly Role[]): boolean {
  return roles.includes('moderator') || roles.includes('admin');
}
