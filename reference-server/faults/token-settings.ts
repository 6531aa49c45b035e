import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { ServerConfig } from '../config.ts';
import type { NodeContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { looseIdentity, withVerifierRescue } from './auth-checks.ts';

/*
 * Defects in the verifier's settings (AUTH-2, AUTH-3) that only show with a configuration the
 * harness's own target does not use: a JWKS (C34), a clock tolerance (C39).
 */

/** `clock-tolerance-ignored`: tokens verified with no leeway whatever JWT_CLOCK_TOLERANCE_SEC says (AUTH-3): C39. */
export function clockToleranceIgnored(auth: ServerConfig['auth']): ServerConfig['auth'] {
  return { ...auth, clockToleranceSec: 0 };
}

/** Every asymmetric algorithm jose verifies, as a list copied from a library's documentation is. */
const ANY_ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * `jwks-algorithms-open`: with a JWKS, a token refused by the pinned verifier is verified again with
 * any asymmetric algorithm its key allows (AUTH-2: only RS256 and ES256): C34. The second reading of
 * the key set has no breaker: it is only ever reached by such tokens.
 */
export function jwksAlgorithmsOpen(ctx: NodeContext): NodeContext {
  const auth = ctx.config.auth;
  if (auth.kind !== 'jwks') return ctx;
  const keys = createRemoteJWKSet(new URL(auth.jwksUrl), { timeoutDuration: 3_000 });
  return withVerifierRescue(ctx, async (token, err) => {
    // Only a token the pinned list refused: a key set that cannot be read stays the breaker's (BRK-7).
    if (!(err instanceof AppError) || err.code !== 'UNAUTHORIZED') return undefined;
    return looseIdentity((await jwtVerify(token, keys, { algorithms: ANY_ASYMMETRIC })).payload);
  });
}
