import { errors as jose, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { defaultDisplayName, DisplayName, JWKS_ALGORITHMS, SECRET_ALGORITHMS, TokenClaims } from '../../spec/index.ts';
import type { ServerConfig } from '../config.ts';
import { AppError, errors } from '../errors.ts';
import type { Identity } from './identity.ts';

export interface TokenVerifier {
  /** The algorithms this verifier accepts (AUTH-2), for GET /spec. */
  readonly algorithms: readonly string[];
  /** Verifies a token; throws AppError UNAUTHORIZED (or UNAVAILABLE when the JWKS cannot be read). */
  verify(token: string): Promise<Identity>;
}

/**
 * Builds the verifier for the configured key source, with algorithms pinned (AUTH-2, AUTH-3): the
 * HS256 secret, or the keys of the JWKS (auth/jwks-keys.ts, behind its breaker).
 */
export function createVerifier(
  auth: ServerConfig['auth'],
  keys: { secret?: string; jwks?: JWTVerifyGetKey },
  claimsSchema: typeof TokenClaims = TokenClaims,
): TokenVerifier {
  const algorithms = auth.kind === 'jwks' ? [...JWKS_ALGORITHMS] : [...SECRET_ALGORITHMS];
  if (auth.kind === 'secret' && !keys.secret) throw new Error('a secret is required to verify HS256 tokens');
  if (auth.kind === 'jwks' && !keys.jwks) throw new Error('a key getter is required to verify tokens from a JWKS');
  const key: Uint8Array | JWTVerifyGetKey = auth.kind === 'jwks' ? keys.jwks! : new TextEncoder().encode(keys.secret);
  const options = {
    algorithms,
    issuer: auth.issuer,
    audience: auth.audience,
    clockTolerance: auth.clockToleranceSec,
    requiredClaims: ['exp', 'sub'],
  };

  return {
    algorithms,
    async verify(token) {
      let payload: unknown;
      try {
        payload = (await jwtVerify(token, key as JWTVerifyGetKey, options)).payload;
      } catch (err) {
        throw refusal(err);
      }
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) throw errors.unauthorized('token claims invalid');
      const name = DisplayName.safeParse(claims.data.name ?? defaultDisplayName(claims.data.sub));
      if (!name.success) throw errors.unauthorized('token name claim invalid');
      return { userId: claims.data.sub, name: name.data, roles: [...new Set(claims.data.roles)], exp: claims.data.exp };
    },
  };
}

/** Says why a token was refused without ever echoing it (AUTH-8). */
function refusal(err: unknown): AppError {
  // The key set's breaker already said why (UNAVAILABLE with retryAfterMs, BRK-4, BRK-7).
  if (err instanceof AppError) return err;
  if (err instanceof jose.JWTExpired) return errors.unauthorized('token expired');
  if (err instanceof jose.JOSEAlgNotAllowed) return errors.unauthorized('token algorithm not allowed');
  if (err instanceof jose.JWSSignatureVerificationFailed) return errors.unauthorized('token signature invalid');
  if (err instanceof jose.JWTClaimValidationFailed) return errors.unauthorized(`token claim "${err.claim}" invalid`);
  if (err instanceof jose.JWKSNoMatchingKey) return errors.unauthorized('token key not found');
  if (err instanceof jose.JWKSTimeout || err instanceof jose.JWKSInvalid) return errors.unavailable('key set unavailable', 1_000);
  if (err instanceof jose.JOSEError) return errors.unauthorized('token invalid');
  // A network failure fetching the JWKS is not the caller's fault.
  if (err instanceof TypeError) return errors.unavailable('key set unavailable', 1_000);
  return errors.unauthorized('token invalid');
}
