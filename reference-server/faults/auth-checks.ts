import { jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { Role, TokenClaims } from '../../spec/index.ts';
import type { Identity } from '../auth/identity.ts';
import type { NodeContext } from '../context.ts';

/*
 * Defects in how the handshake treats a token (AUTH-2, AUTH-4, AUTH-8): each a convenience that gives
 * a token away or takes one it must refuse.
 */

/**
 * `hmac-algorithms-open`: with a secret, HS384 and HS512 tokens are accepted too, as a verifier given
 * a list of "HMAC algorithms" does (AUTH-2: HS256 only): C17.
 */
export function hmacAlgorithmsOpen(ctx: NodeContext): NodeContext {
  return withRescue(ctx, async (token, key) => looseIdentity((await jwtVerify(token, key, { algorithms: ['HS384', 'HS512'] })).payload));
}

/** The identity a lenient verifier makes of a payload: any `sub` and `exp`, the known roles, `name` unchecked. */
export function looseIdentity(payload: JWTPayload): Identity | undefined {
  if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return undefined;
  const { sub, name, roles, exp } = payload;
  const known = Array.isArray(roles) ? roles.filter((r): r is Role => Role.safeParse(r).success) : [];
  return { userId: sub, name: typeof name === 'string' ? name : sub, roles: known.length ? known : ['member'], exp };
}

/**
 * `token-logged`: every handshake's token is logged under a key the logger's redaction does not name
 * (`jwt`), as a debugging line left in does (AUTH-8): C20.
 */
export function logHandshakeTokens(ctx: NodeContext): NodeContext {
  return {
    ...ctx,
    verifier: {
      algorithms: ctx.verifier.algorithms,
      verify(token) {
        ctx.log.info({ jwt: token }, 'handshake token received');
        return ctx.verifier.verify(token);
      },
    },
  };
}

/** `unknown-roles-accepted`: a token's roles are any strings, as a claims schema without the enum has them (AUTH-4): C17. */
export const ANY_ROLES_CLAIMS: typeof TokenClaims = TokenClaims.extend({ roles: z.array(z.string()).default(['member']) }) as unknown as typeof TokenClaims;

/** The context with its verifier's refusals handed to `rescue`, which may accept the token after all. */
export function withRescue(ctx: NodeContext, rescue: (token: string, key: Uint8Array) => Promise<Identity | undefined>): NodeContext {
  const auth = ctx.config.auth;
  if (auth.kind !== 'secret' || !auth.secret) return ctx;
  const key = new TextEncoder().encode(auth.secret);
  return withVerifierRescue(ctx, (token) => rescue(token, key));
}

/** The context with its verifier's refusals (each `err`) handed to `rescue`, which may accept the token after all. */
export function withVerifierRescue(ctx: NodeContext, rescue: (token: string, err: unknown) => Promise<Identity | undefined>): NodeContext {
  return {
    ...ctx,
    verifier: {
      algorithms: ctx.verifier.algorithms,
      async verify(token) {
        try {
          return await ctx.verifier.verify(token);
        } catch (err) {
          const rescued = await rescue(token, err).catch(() => undefined);
          if (!rescued) throw err;
          return rescued;
        }
      },
    },
  };
}
