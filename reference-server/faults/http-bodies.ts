import { HTTP_PATHS, type BreakersResponse, type HealthResponse, type RateLimitTable, type SocketMetrics, type SpecDocument } from '../../spec/index.ts';
import type { Route } from '../http/router.ts';

/*
 * Defects in the bodies of the observability endpoints and GET /spec (HTTP-2, HLTH-1, HLTH-2, MET-1,
 * SES-3, SPECDOC-1, FIX-2): each a figure or a name an endpoint reports wrong while the node behind
 * it works, so only a check that reads the endpoint closely sees it.
 */

/** The route with its JSON body passed through `change` when it is GET `path`. */
export function changeBody(route: Route, path: string, change: (body: unknown) => unknown): Route {
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

/**
 * `stale-cleaning-uncounted`: the sweep ends expired indicators but never counts them, so
 * `staleEntriesCleaned` stays at 0 (SES-3): C11.
 */
export function staleCleaningUncounted(route: Route): Route {
  return changeBody(route, HTTP_PATHS.socketMetrics, (body) => ({ ...(body as SocketMetrics), staleEntriesCleaned: 0 }));
}

/** `health-store-misnamed`: health names the store's check `database`, not `store` (HLTH-2: checks named store and redis): C19. */
export function healthStoreMisnamed(route: Route): Route {
  return changeBody(route, HTTP_PATHS.health, (body) => {
    const { store, ...others } = (body as HealthResponse).checks;
    return { ...(body as HealthResponse), checks: store ? { database: store, ...others } : others };
  });
}

/**
 * `spec-shows-configured-limits`: GET /spec publishes the rate limits as configured at start-up, not the
 * table PUT /admin/limits put in force (FIX-2, SPECDOC-1: the values the target uses): C09.
 */
export function specShowsConfiguredLimits(route: Route, configured: RateLimitTable): Route {
  return changeBody(route, HTTP_PATHS.spec, (body) => {
    const doc = body as SpecDocument;
    return { ...doc, limits: { ...doc.limits, rateLimits: { ...configured } } };
  });
}

/**
 * `unknown-path-plain-404`: a catch-all route answers any other GET with a plain-text "Not Found", as a
 * framework's default does (HTTP-2: 404 with the JSON error body): S12.
 */
export const plainNotFound: Route = {
  method: 'GET',
  path: '',
  prefix: true,
  handle: async () => ({ status: 404, text: 'Not Found', contentType: 'text/plain' }),
};

/**
 * `json-without-content-type`: the metrics body is written with `res.end(JSON.stringify(...))` and no
 * content type, so it goes out as text/plain (HTTP-1: JSON bodies): C01.
 */
export function jsonWithoutContentType(route: Route): Route {
  if (route.method !== 'GET' || route.path !== HTTP_PATHS.socketMetrics) return route;
  return {
    ...route,
    async handle(req) {
      const reply = await route.handle(req);
      return 'json' in reply ? { status: reply.status, text: JSON.stringify(reply.json), contentType: 'text/plain' } : reply;
    },
  };
}

/**
 * `breakers-listed-when-tripped`: the breakers endpoint lists a breaker once it has left `closed`, as a
 * registry filled on the first failure does, so a healthy node lists none (BRK-1: a breaker per
 * dependency, the store's included): C03.
 */
export function breakersListedWhenTripped(route: Route): Route {
  return changeBody(route, HTTP_PATHS.breakers, (body) => {
    const b = body as BreakersResponse;
    return { ...b, breakers: Object.fromEntries(Object.entries(b.breakers).filter(([, x]) => x.state !== 'closed')) };
  });
}

/**
 * `breaker-since-epoch`: each breaker's `since` is `Date.now()`, milliseconds since the epoch, not the ISO
 * time BreakersResponse has (BRK-3): C03.
 */
export function breakerSinceEpoch(route: Route): Route {
  return changeBody(route, HTTP_PATHS.breakers, (body) => {
    const b = body as BreakersResponse;
    return { ...b, breakers: Object.fromEntries(Object.entries(b.breakers).map(([name, x]) => [name, { ...x, since: Date.parse(x.since) }])) };
  });
}

/**
 * `spec-without-durable-store`: GET /spec leaves `features.durableStore` out, as a node without an external
 * store might think it has nothing to say (SPECDOC-1: the SpecDocument shape): V01, which then blocks
 * every check that reads the document.
 */
export function specWithoutDurableStore(route: Route): Route {
  return changeBody(route, HTTP_PATHS.spec, (body) => {
    const doc = body as SpecDocument;
    const { durableStore: _left, ...features } = doc.features;
    return { ...doc, features };
  });
}
