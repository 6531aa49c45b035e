import type { SpecDocument } from '../../spec/index.ts';
import type { Route } from '../http/router.ts';

/** Replaces the route with the same method and path. */
export function replaceRoute(routes: Route[], replacement: Route): Route[] {
  return routes.map((r) => (r.method === replacement.method && r.path === replacement.path ? replacement : r));
}

/**
 * GET /spec as a faulty build publishes it: its implementation name lists the faults that are on,
 * so no report can be mistaken for the clean server's; `unlimited-history` also leaves
 * channel:history out of the published table, as a server without RATE-6 would (C09).
 */
export function specWithFaults(route: Route, faults: readonly string[], opts: { unpublishedHistory: boolean; unpublishedRecoveryBound: boolean; embeddedStoreNamed: boolean }): Route {
  return {
    ...route,
    async handle(req) {
      const reply = await route.handle(req);
      if (!('json' in reply) || reply.status !== 200) return reply;
      const doc = reply.json as SpecDocument;
      const { 'channel:history': _unpublished, ...rest } = doc.limits.rateLimits;
      const { recoveryBufferPackets: _bound, ...unbounded } = doc.limits;
      return {
        ...reply,
        json: {
          ...doc,
          implementation: { ...doc.implementation, name: `${doc.implementation.name} (faults: ${faults.join(',')})` },
          limits: { ...(opts.unpublishedRecoveryBound ? unbounded : doc.limits), rateLimits: opts.unpublishedHistory ? rest : doc.limits.rateLimits },
          // `durable-store-misnamed`: the store named as the embedded one whatever the node runs on (SPECDOC-1).
          ...(opts.embeddedStoreNamed ? { features: { ...doc.features, durableStore: 'sqlite' } } : {}),
        },
      };
    },
  };
}
