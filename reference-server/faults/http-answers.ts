import { HTTP_PATHS, type HealthResponse } from '../../spec/index.ts';
import { BodyTooLarge, type Reply } from '../http/exchange.ts';
import type { Route } from '../http/router.ts';

/*
 * Defects in how the HTTP endpoints answer (HTTP-2, HLTH-1, HLTH-3, FIX-1), each what a body parser,
 * a health probe or a fixture written without SPEC 1.0.1 plausibly gets wrong.
 */

/**
 * `http-413-wrong-code`: an oversized body is answered 413 with the body parser's own code,
 * `PAYLOAD_TOO_LARGE`, instead of HTTP-2's `VALIDATION`: S12 (a body over 64 KiB with an admin token).
 */
export function bodyTooLargeOwnCode(route: Route): Route {
  if (route.method === 'GET') return route;
  return {
    ...route,
    async handle(req) {
      try {
        return await route.handle(req);
      } catch (err) {
        if (!(err instanceof BodyTooLarge)) throw err;
        return { status: 413, json: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'request entity too large' } } };
      }
    },
  };
}

/** The route with its reply passed through `change` when `applies`; any other route as it is. */
function changeReply(route: Route, applies: boolean, change: (reply: Reply) => Reply): Route {
  return applies ? { ...route, handle: async (req) => change(await route.handle(req)) } : route;
}

/**
 * `draining-says-ok`: health is judged by the dependencies alone, so a draining node answers 200
 * `healthy` with `draining: true`, and a load balancer keeps sending it clients (HLTH-1, HLTH-3): C14
 * (health on a connection opened before the SIGTERM, once the drain has begun).
 */
export function healthIgnoresDraining(route: Route): Route {
  return changeReply(route, route.method === 'GET' && route.path === HTTP_PATHS.health, (reply) => {
    if (!('json' in reply) || !(reply.json as HealthResponse).draining) return reply;
    const body = reply.json as HealthResponse;
    const down = Object.values(body.checks).some((c) => c.status !== 'up');
    return { status: 200, json: { ...body, status: down ? 'degraded' : 'healthy' } };
  });
}

/** `fixture-always-201`: POST /admin/channels answers 201 whether it created the channel or replaced it (FIX-1: 200 on replace): S12. */
export function channelFixtureAlways201(route: Route): Route {
  return changeReply(route, route.method === 'POST' && route.path === HTTP_PATHS.adminChannels, (reply) => (reply.status === 200 ? { ...reply, status: 201 } : reply));
}

/**
 * `prometheus-figures-stale`: GET /metrics answers the text of its first scrape ever after, as a cache
 * put in front of an expensive endpoint would, while /metrics/socket moves (MET-3): S20.
 */
export function prometheusFiguresStale(route: Route): Route {
  if (route.method !== 'GET' || route.path !== HTTP_PATHS.prometheus) return route;
  let first: ReturnType<Route['handle']> | undefined;
  return {
    ...route,
    handle(req) {
      first ??= route.handle(req);
      return first;
    },
  };
}
