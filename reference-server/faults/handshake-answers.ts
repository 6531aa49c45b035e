import { compactVerify, decodeJwt, jwtVerify } from 'jose';
import { defaultDisplayName, DisplayName, TokenClaims } from '../../spec/index.ts';
import type { Identity } from '../auth/identity.ts';
import type { NodeContext } from '../context.ts';
import { withRescue } from './auth-checks.ts';

/*
 * Defects in how a handshake's token is judged and how a refusal is told (AUTH-3, AUTH-4, AUTH-7):
 * each a hand-rolled shortcut around the verifier. The real verifier runs first; a defect only
 * lets through (or reshapes) what it refused, so every other answer stays the clean server's.
 */

/** Ten years, in seconds: "never expires". */
const TEN_YEARS_S = 10 * 365 * 24 * 3600;

/** A token's claims as an identity, the way the clean verifier builds one; undefined when they do not fit. */
function identityOf(payload: unknown): Identity | undefined {
  const claims = TokenClaims.safeParse(payload);
  if (!claims.success) return undefined;
  const name = DisplayName.safeParse(claims.data.name ?? defaultDisplayName(claims.data.sub));
  if (!name.success) return undefined;
  return { userId: claims.data.sub, name: name.data, roles: [...new Set(claims.data.roles)], exp: claims.data.exp };
}

/**
 * `exp-optional`: `exp` is checked when present but not required (jose's default), so a token minted
 * without one never expires (AUTH-3: `exp` required): C17 (a token with no exp claim).
 */
export function expOptional(ctx: NodeContext): NodeContext {
  return withRescue(ctx, async (token, key) => {
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], requiredClaims: ['sub'] });
    return payload.exp === undefined ? identityOf({ ...payload, exp: Math.floor(Date.now() / 1000) + TEN_YEARS_S }) : undefined;
  });
}

/**
 * `nbf-ignored`: a verifier that checks the signature (algorithm pinned) and `exp` by hand, and never
 * looks at `nbf`, so a token not valid for another hour is accepted (AUTH-3): C17 (nbf an hour ahead).
 */
export function nbfIgnored(ctx: NodeContext): NodeContext {
  return withRescue(ctx, async (token, key) => {
    const { payload } = await compactVerify(token, key, { algorithms: ['HS256'] });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as { exp?: unknown };
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) return undefined;
    return identityOf(claims);
  });
}

/**
 * `default-name-not-sub`: a token without a `name` claim gets the display name "Anonymous" instead of
 * its `sub` (AUTH-4: `name` defaults to `sub`): S02 (`authorName`).
 */
export function defaultNameNotSub(ctx: NodeContext): NodeContext {
  return {
    ...ctx,
    verifier: {
      algorithms: ctx.verifier.algorithms,
      async verify(token) {
        const identity = await ctx.verifier.verify(token);
        return decodeJwt(token).name === undefined ? { ...identity, name: 'Anonymous' } : identity;
      },
    },
  };
}

/**
 * `refusal-without-data`: a refused handshake is `next(new Error(message))` with no `data`, so the
 * client's connect_error carries a message and no `ConnectErrorData` (AUTH-7): C17. Done where the
 * packet leaves (Engine.IO's packetCreate), as the handshake middleware builds the refusal whole.
 */
export function refusalWithoutData(ctx: NodeContext): NodeContext {
  ctx.io.engine.on('connection', (conn: { on(event: 'packetCreate', fn: (packet: { type: string; data?: unknown }) => void): void }) => {
    conn.on('packetCreate', (packet) => {
      // A Socket.IO CONNECT_ERROR to "/" is "4" and its JSON {message, data} (Engine.IO adds its own "4" for a message).
      if (packet.type !== 'message' || typeof packet.data !== 'string' || !packet.data.startsWith('4{')) return;
      const { message } = JSON.parse(packet.data.slice(1)) as { message?: unknown };
      packet.data = `4${JSON.stringify({ message })}`;
    });
  });
  return ctx;
}

/** Three base64url segments: what a JWT looks like before anything is verified. */
const JWT_SHAPE = /^[\w-]*\.[\w-]*\.[\w-]*$/;

/**
 * `guest-for-bad-token`: a token that is not a JWT at all is taken for a guest's nickname and connects
 * as a member with a made-up id, "so the demo page works without a login" (AUTH-1: a non-JWT refused): C17.
 */
export function guestForBadToken(ctx: NodeContext): NodeContext {
  let guests = 0;
  return {
    ...ctx,
    verifier: {
      algorithms: ctx.verifier.algorithms,
      verify(token) {
        if (JWT_SHAPE.test(token)) return ctx.verifier.verify(token);
        guests++;
        return Promise.resolve({ userId: `guest-${guests}`, name: 'Guest', roles: ['member'], exp: Math.floor(Date.now() / 1000) + 3600 });
      },
    },
  };
}
