import { TokenClaims } from '../../spec/index.ts';
import type { NodeContext } from '../context.ts';

/*
 * Defects in when a session may start or must end (AUTH-5, OPS-2), each a check done once where
 * the spec asks for it again later.
 */

/** Ten years, in seconds: a session outlives any check. */
const TEN_YEARS_S = 10 * 365 * 24 * 3600;

/**
 * `expiry-not-enforced`: the token's `exp` is checked at the handshake (jose) and then forgotten: the
 * session's expiry is armed ten years out, so an expired token's socket stays connected (AUTH-5): S09.
 */
export const EXPIRY_NOT_ENFORCED_CLAIMS: typeof TokenClaims = TokenClaims.transform((claims) => ({ ...claims, exp: claims.exp + TEN_YEARS_S })) as unknown as typeof TokenClaims;

/**
 * `draining-accepts-handshakes`: the handshake middleware never sees the drain, so a client on a
 * connection opened before the SIGTERM still connects to `/` (OPS-2, AUTH-7): C14.
 */
export function handshakeBlindToDrain(ctx: NodeContext): NodeContext {
  return { ...ctx, lifecycle: Object.create(ctx.lifecycle, { draining: { get: () => false } }) };
}

/**
 * `handshake-limit-after-token`: the `connection` limit is counted only once the token verified, as a
 * limiter mounted after the auth middleware is, so a client with bad tokens is never limited (RATE-4):
 * C04 (its first handshake carries a bad token, and counts). The handshake's address waits for its
 * token here; handshakes of one client come one at a time in the check, which is all this defect needs.
 */
export function limitAfterToken(ctx: NodeContext): NodeContext {
  let waiting: string | undefined;
  const limits = ctx.limits;
  return {
    ...ctx,
    limits: {
      current: () => limits.current(),
      consume: async (name, key) => {
        if (name === 'connection') waiting = key;
        else await limits.consume(name, key);
      },
      replace: (partial) => limits.replace(partial),
      restore: () => limits.restore(),
    },
    verifier: {
      algorithms: ctx.verifier.algorithms,
      async verify(token) {
        const key = waiting;
        waiting = undefined;
        const identity = await ctx.verifier.verify(token);
        if (key !== undefined) await limits.consume('connection', key);
        return identity;
      },
    },
  };
}
