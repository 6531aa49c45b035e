import { HTTP_PATHS, type BreakersResponse, type SocketMetrics } from '../../spec/index.ts';
import { AppError } from '../errors.ts';
import type { Handler } from '../events/handler.ts';
import type { Route } from '../http/router.ts';
import type { SessionStore } from '../connection/recovery.ts';
import type { ReconnectDelay } from '../cluster/reconnect-delay.ts';
import { changeBody } from './http-bodies.ts';

/*
 * Defects in the clauses of a deployment with dependencies and several nodes (issue 13: NODE-1, NODE-3,
 * HLTH-2, DEG-1, DEG-3..7, DUR-2, CFG-3): each the plausible shortcut of a server that works on one node
 * with every dependency up, seen only when a node has a peer or a dependency goes away.
 */

/**
 * `kick-local-only`: the kick looks up the user's sockets on this node only (as `io.local` does), so a
 * socket of the user on another node stays in the channel (NODE-1, MOD-2): C06 (the kicked user is on node 2).
 */
export function kickLocalOnly(real: Handler<'moderation:kick'>): Handler<'moderation:kick'> {
  return (ctx, call, payload) => real({ ...ctx, crossNode: { up: () => false } }, call, payload);
}

/**
 * `recovery-on-own-node-only`: a dropped session is recovered only by the node it dropped from, as when
 * the record of which sessions may be resumed is kept in the node's memory beside Redis's stream; a socket
 * returning through another node starts afresh (NODE-3): S14. On one node nothing changes (P06).
 */
export function recoveryOnOwnNodeOnly<S extends SessionStore>(adapter: S): S {
  const droppedHere = new Set<string>();
  const persist = adapter.persistSession.bind(adapter);
  const restore = adapter.restoreSession.bind(adapter);
  adapter.persistSession = (session) => {
    droppedHere.add(session.pid);
    return persist(session);
  };
  adapter.restoreSession = (pid, offset) => (droppedHere.has(pid) ? restore(pid, offset) : null);
  return adapter;
}

/**
 * `sends-refused-without-redis`: with the cross-node link down a send is refused UNAVAILABLE ("it could not
 * reach every node"), instead of serving this node's sockets at once and holding the rest (DEG-1): S17.
 */
export function sendsRefusedWithoutRedis(real: Handler<'message:send'>): Handler<'message:send'> {
  return (ctx, call, payload) => {
    if (ctx.crossNode && !ctx.crossNode.up()) throw new AppError('UNAVAILABLE', 'cross-node delivery unavailable', 1_000);
    return real(ctx, call, payload);
  };
}

/**
 * `unavailable-without-retry-after`: a send the store cannot take is answered UNAVAILABLE by a catch-all
 * that knows no retryAfterMs (DEG-3 asks for one: 1 000 after a single failure, the time until half-open
 * while the breaker is open): C13. C12, which reads the code only, passes.
 */
export function unavailableWithoutRetryAfter(real: Handler<'message:send'>): Handler<'message:send'> {
  return async (ctx, call, payload) => {
    try {
      return await real(ctx, call, payload);
    } catch (err) {
      if (err instanceof AppError && err.code === 'UNAVAILABLE') throw new AppError('UNAVAILABLE', err.message, undefined, err.cause);
      throw err;
    }
  };
}

/**
 * `refused-sends-replayed`: an idempotency cache that keeps the first answer to each `clientMsgId`, refusals
 * included (as a generic response cache does), so a retry after UNAVAILABLE gets the same UNAVAILABLE for as
 * long as the node runs and never lands (DUR-2, DEG-3): C13 (the refused sends retried after the heal).
 */
export function refusedSendsReplayed(real: Handler<'message:send'>): Handler<'message:send'> {
  const refused = new Map<string, AppError>();
  return async (ctx, call, payload) => {
    const key = `${call.identity.userId}\u0000${payload.clientMsgId}`;
    const earlier = refused.get(key);
    if (earlier) throw earlier;
    try {
      return await real(ctx, call, payload);
    } catch (err) {
      if (err instanceof AppError && err.code === 'UNAVAILABLE') refused.set(key, err);
      throw err;
    }
  };
}

/**
 * `external-store-down-unhealthy`: health counts the store as critical whatever it is, so a PostgreSQL
 * outage answers 503 `unhealthy` and a load balancer drops every node at once (HLTH-2: `degraded`): C08.
 */
export const storeAlwaysCritical = (critical: string[]): string[] => [...new Set([...critical, 'store'])];

/**
 * `lookups-never-stale`: the look-up cache's entries are never young enough to stand in for the database
 * (a cache for speed only), so with the database down a remembered member is refused UNAVAILABLE and a
 * banned user's handshake fails closed instead of static (DEG-4): S16.
 */
export const lookupsNeverStale = <C extends { ttlMs: number }>(cache: C): C => ({ ...cache, ttlMs: 0 });

/**
 * `dependency-figures-frozen`: /metrics/socket's `dependencies` are those of its first answer ever after
 * (read once from a probe at start-up), so an outage never shows as `up: false` nor counts in `outages`
 * (DEG-5): C12. The counters around them move as usual.
 */
export function dependencyFiguresFrozen(route: Route): Route {
  let first: SocketMetrics['dependencies'];
  return changeBody(route, HTTP_PATHS.socketMetrics, (body) => {
    const metrics = body as SocketMetrics;
    first ??= metrics.dependencies;
    return { ...metrics, dependencies: first };
  });
}

/**
 * `reconnects-counted-per-client`: every Redis client's re-established connection counts in `redisReconnects`
 * (the adapter's publisher too), not only the node's own client's: one Redis outage counts 2 (DEG-6): C12.
 */
export const everyClientCounted = (_client: string): boolean => true;

/**
 * `reconnect-without-backoff`: every Redis reconnect attempt waits as the first does (REDIS_RECONNECT_MIN_MS,
 * jitter kept), as a client whose attempt counter restarts on each TCP connect would: through an outage that
 * accepts and drops connections, the attempts never thin out (DEG-6): C12.
 */
export const backoffNeverGrows = (delay: ReconnectDelay): ReconnectDelay => (_attempt, policy, random) => delay(1, policy, random);

/**
 * `reconnect-without-jitter`: the delays double exactly, min·2^(n-1) up to max, no random share: a node's
 * Redis connections (and every node cut at once) retry in lockstep (DEG-6): C12.
 */
export const backoffWithoutJitter = (delay: ReconnectDelay): ReconnectDelay => (attempt, policy) => delay(attempt, policy, () => 0);

/**
 * `redis-breaker-unlisted`: the breakers endpoint lists the breakers its author wrote down, the store's,
 * while the rate limits' Redis calls run behind a breaker nobody sees (DEG-7, BRK-3): C12.
 */
export function redisBreakerUnlisted(route: Route): Route {
  return changeBody(route, HTTP_PATHS.breakers, (body) => {
    const { redis: _redis, ...listed } = (body as BreakersResponse).breakers;
    return { ...(body as BreakersResponse), breakers: listed };
  });
}

/** The spec's default BREAKER_RESET_TIMEOUT_MS (BRK-2). */
const SPEC_RESET_TIMEOUT_MS = 30_000;

/**
 * `breaker-reset-timeout-ignored`: the breakers run with the spec's default reset timeout whatever
 * BREAKER_RESET_TIMEOUT_MS says, while GET /spec publishes the configured one (CFG-3): C13 (the store
 * breaker must leave open within the published resetTimeoutMs once the database is back).
 */
export const resetTimeoutIgnored = <P extends { resetTimeoutMs: number }>(policy: P): P => ({ ...policy, resetTimeoutMs: SPEC_RESET_TIMEOUT_MS });

/**
 * `migrations-rerun`: the start-up migration runs every migration, applied or not (the runner forgets to skip
 * what schema_migrations records): the first node to take the lock migrates, every node after it, or a node
 * started again, fails on a table that exists (NODE-4: the others wait and find it done): S15.
 */
export const migrationsRerun = <O extends { rerunApplied?: boolean }>(opts: O): O => ({ ...opts, rerunApplied: true });
