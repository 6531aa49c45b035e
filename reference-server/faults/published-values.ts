import type { ServerOptions } from 'socket.io';
import { HTTP_PATHS, type HealthResponse, type SocketMetrics } from '../../spec/index.ts';
import { AppError, errors } from '../errors.ts';
import type { Route } from '../http/router.ts';
import type { Limits } from '../resilience/rate-limits.ts';

/*
 * Defects where what a node does or reports differs from what the spec fixes (TRN-1, TRN-3, RATE-3,
 * HLTH-1, MET-1): a transport option, a limiter's answer, an endpoint's body, each set the way a
 * server copied from elsewhere plausibly sets it.
 */

/** `eio3-accepted`: Socket.IO's `allowEIO3`, left on for old clients, so an Engine.IO 3 handshake opens a session (TRN-1): P01. */
export function eio3Accepted(options: Partial<ServerOptions>): Partial<ServerOptions> {
  return { ...options, allowEIO3: true };
}

/**
 * `buffer-size-not-as-published`: `maxHttpBufferSize` raised to 100 MB "for attachments" while GET /spec
 * publishes the configured size, so the open packet's maxPayload and the packets dropped differ from
 * the published figure (TRN-3): C22, C23.
 */
export function bufferSizeNotAsPublished(options: Partial<ServerOptions>): Partial<ServerOptions> {
  return { ...options, maxHttpBufferSize: 100_000_000 };
}

/**
 * `retry-after-full-window`: a refusal's `retryAfterMs` is the limit's whole window, not what is left of
 * it (RATE-3: the time to the window's end): C04 (a refusal well into the window).
 */
export function retryAfterFullWindow(limits: Limits): Limits {
  return {
    current: () => limits.current(),
    consume: async (name, key) => {
      try {
        await limits.consume(name, key);
      } catch (err) {
        if (err instanceof AppError && err.code === 'RATE_LIMITED') throw errors.rateLimited(limits.current()[name].durationMs);
        throw err;
      }
    },
    replace: (partial) => limits.replace(partial),
    restore: () => limits.restore(),
  };
}

/** The route with its JSON body passed through `change` when it is GET `path`. */
function changeBody(route: Route, path: string, change: (body: unknown) => unknown): Route {
  if (route.method !== 'GET' || route.path !== path) return route;
  return {
    ...route,
    async handle(req) {
      const reply = await route.handle(req);
      return 'json' in reply ? { ...reply, json: change(reply.json) } : reply;
    },
  };
}

/**
 * `uptime-frozen`: health's `uptimeSeconds` is the figure of its first answer, the body built once and
 * its status refreshed (HLTH-1: uptime grows): C19.
 */
export function uptimeFrozen(route: Route): Route {
  let first: number | undefined;
  return changeBody(route, HTTP_PATHS.health, (body) => {
    const health = body as HealthResponse;
    first ??= health.uptimeSeconds;
    return { ...health, uptimeSeconds: first };
  });
}

/**
 * `metrics-without-redis-counters`: the metrics body leaves out `redisReconnects` on a node without
 * Redis, where MET-1 publishes it as 0 (SocketMetrics shape): C01.
 */
export function metricsWithoutRedisCounters(route: Route): Route {
  return changeBody(route, HTTP_PATHS.socketMetrics, (body) => {
    const { redisReconnects: _left, ...rest } = body as SocketMetrics;
    return rest;
  });
}
