import { encodeHtml, firstCodePoints, NAME_MAX_CODE_POINTS, normalizeText, TokenClaims } from '../../spec/index.ts';
import { userSockets } from '../cluster/user-sockets.ts';
import { errors } from '../errors.ts';
import { requireChannel } from '../events/access.ts';
import type { Handler } from '../events/handler.ts';
import { MAX_BODY_BYTES, readJson } from '../http/exchange.ts';
import type { Route } from '../http/router.ts';
import { CHANNEL_ROOM_PREFIX, channelRoom } from '../rooms.ts';
import { publicStatus } from '../state/presence-status.ts';
import type { Limits } from '../resilience/rate-limits.ts';
import type { Store } from '../store/types.ts';
import type { SocketHook } from './index.ts';
import { overrideStore } from './store.ts';

/*
 * Defects in the clauses SPEC 1.0.1 decided where 1.0 was silent (issue 13), each the mistake a
 * realistic implementation makes there, and each caught by the check step written for the decision.
 */

/** `typing-stop-needs-membership`: typing:stop reuses typing:start's membership guard (TYP-2): S06. */
export function typingStopNeedsMembership(real: Handler<'typing:stop'>): Handler<'typing:stop'> {
  return async (ctx, call, payload) => {
    if (!call.socket.rooms.has(channelRoom(payload.channelId))) throw errors.forbidden(`join channel ${payload.channelId} first`);
    return real(ctx, call, payload);
  };
}

/** `typing-unknown-channel-not-found`: typing:start looks the channel up first, answering NOT_FOUND (TYP-1): S06. */
export function typingLooksUpChannel(real: Handler<'typing:start'>): Handler<'typing:start'> {
  return async (ctx, call, payload) => {
    await requireChannel(ctx, payload.channelId);
    return real(ctx, call, payload);
  };
}

/** `presence-online-on-join`: joining a channel announces the user `online` there (PRES-1): S07. */
export function joinAnnouncesOnline(real: Handler<'channel:join'>): Handler<'channel:join'> {
  return async (ctx, call, payload) => {
    const joined = await real(ctx, call, payload);
    call.socket.to(channelRoom(payload.channelId)).emit('presence', { userId: call.identity.userId, status: 'online' });
    return joined;
  };
}

/** `token-name-cut`: a token's `name` claim over the display-name limit is cut instead of refused (AUTH-4): C17. */
export const TOKEN_NAME_CUT_CLAIMS: typeof TokenClaims = TokenClaims.transform((claims) =>
  claims.name === undefined ? claims : { ...claims, name: firstCodePoints(normalizeText(claims.name), NAME_MAX_CODE_POINTS) || claims.name },
) as unknown as typeof TokenClaims;

/** `presence-skips-own-sockets`: the status goes out with `socket.to(...)`, which skips the sender (PRES-1): S07. */
export const presenceSkipsOwnSockets: Handler<'presence:update'> = async (ctx, call, { status }) => {
  const rooms = new Set<string>();
  for (const s of await userSockets(ctx, call.identity.userId)) for (const room of s.rooms) if (room.startsWith(CHANNEL_ROOM_PREFIX)) rooms.add(room);
  if (rooms.size > 0) call.socket.to([...rooms]).emit('presence', { userId: call.identity.userId, status: publicStatus(status) });
  return { status };
};

/** `kick-notifies-every-socket`: the notice goes to all the user's sockets, in the channel or not (MOD-2): S08. */
export function kickNotifiesEverySocket(real: Handler<'moderation:kick'>): Handler<'moderation:kick'> {
  return async (ctx, call, payload) => {
    const room = channelRoom(payload.channelId);
    const elsewhere = (await userSockets(ctx, payload.userId)).filter((s) => !s.rooms.has(room));
    const result = await real(ctx, call, payload);
    const notice = { channelId: payload.channelId, reason: payload.reason, reasonHtml: encodeHtml(payload.reason), by: call.identity.userId };
    for (const s of elsewhere) s.emit('moderation:kicked', notice);
    return result;
  };
}

/** `http-413-before-401`: the body-size limit runs before authentication, as a body parser mounted first does (HTTP-2): S12. */
export function bodyLimitBeforeAuth(route: Route): Route {
  if (route.method === 'GET') return route;
  return {
    ...route,
    async handle(req) {
      // A body stated over the limit is refused (readJson: 413) before the route checks the token.
      if (Number(req.headers['content-length']) > MAX_BODY_BYTES) await readJson(req);
      return route.handle(req);
    },
  };
}

/** `edit-ack-before-durable`: message:edit answers the edited message at once and writes it two seconds later (MSG-7): S10. */
export function editBeforeDurable(store: Store): Store {
  return overrideStore(store, {
    async editMessage(id, text) {
      const message = await store.getMessage(id);
      if (!message) return null;
      setTimeout(() => void store.editMessage(id, text).catch(() => {}), 2_000).unref();
      return { ...message, text, html: encodeHtml(text), editedAt: new Date().toISOString() };
    },
  });
}

/**
 * `limits-reset-on-reconnect`: the per-user windows are kept with the connection, as a server holding
 * its counters in `socket.data` does, so every new socket of a user starts them afresh (SES-2): C04.
 * The hook counts the user's connections; the limits key each user's counters by that count.
 */
export function limitsPerConnection(): { limits: (limits: Limits) => Limits; hook: SocketHook } {
  const connections = new Map<string, number>();
  return {
    limits: (limits) => ({
      current: () => limits.current(),
      consume: (name, key) => limits.consume(name, name === 'connection' ? key : `${key}#${connections.get(key) ?? 0}`),
      replace: (partial) => limits.replace(partial),
      restore: () => limits.restore(),
    }),
    hook: (_ctx, socket) => {
      const userId = socket.data.identity.userId;
      connections.set(userId, (connections.get(userId) ?? 0) + 1);
    },
  };
}
