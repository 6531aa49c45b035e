import { HTTP_PATHS, type HealthResponse } from '../../spec/index.ts';
import { BodyTooLarge } from '../http/exchange.ts';
import type { Route } from '../http/router.ts';

/*
 * Defects in how the HTTP endpoints answer (HTTP-2, HLTH-1, HLTH-3), each a clause 1.0 left silent
 * and a body parser or a health probe written without SPEC 1.0.1 gets wrong.
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

/**
 * `draining-says-ok`: health is judged by the dependencies alone, so a draining node answers 200
 * `healthy` with `draining: true`, and a load balancer keeps sending it clients (HLTH-1, HLTH-3): C14
 * (health on a connection opened before the SIGTERM, once the drain has begun).
 */
export function healthIgnoresDraining(route: Route): Route {
  if (route.method !== 'GET' || route.path !== HTTP_PATHS.health) return route;
  return {
    ...route,
    async handle(req) {
      const reply = await route.handle(req);
      if (!('json' in reply)) return reply;
      const body = reply.json as HealthResponse;
      if (!body.draining) return reply;
      const down = Object.values(body.checks).some((c) => c.status !== 'up');
      return { status: 200, json: { ...body, status: down ? 'degraded' : 'healthy' } };
    },
  };
}
