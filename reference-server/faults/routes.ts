import { AdminChannelRequest, HTTP_PATHS, type SpecDocument } from '../../spec/index.ts';
import type { NodeContext } from '../context.ts';
import { removeNonReaders } from '../events/moderation.ts';
import { requireAdmin } from '../http/admin-auth.ts';
import { parseBody } from '../http/admin-routes.ts';
import { readJson } from '../http/exchange.ts';
import type { Route } from '../http/router.ts';

/** Replaces the route with the same method and path. */
export function replaceRoute(routes: Route[], replacement: Route): Route[] {
  return routes.map((r) => (r.method === replacement.method && r.path === replacement.path ? replacement : r));
}

/**
 * POST /admin/channels as a server with either defect writes it: `unvalidated-store-input` takes
 * member ids that are not plain strings to the store (C24); `removal-keeps-sockets` leaves removed
 * members' sockets in the channel's room (CHAN-5, C29). The real route is http/admin-routes.ts.
 */
export function faultyAdminChannelRoute(ctx: NodeContext, opts: { schema: typeof AdminChannelRequest; evictNonReaders: boolean }): Route {
  return {
    method: 'POST',
    path: HTTP_PATHS.adminChannels,
    async handle(req) {
      const admin = await requireAdmin(req, ctx.verifier);
      const channel = parseBody(opts.schema, await readJson(req));
      const { created } = await ctx.store.upsertChannel(channel.id, channel.private, channel.members);
      if (!created && opts.evictNonReaders) await removeNonReaders(ctx, channel.id, admin.userId);
      const members = await ctx.store.listMembers(channel.id);
      return { status: created ? 201 : 200, json: { channel: { id: channel.id, private: channel.private, members }, created } };
    },
  };
}

/**
 * GET /spec as a faulty build publishes it: its implementation name lists the faults that are on,
 * so no report can be mistaken for the clean server's; `unlimited-history` also leaves
 * channel:history out of the published table, as a server without RATE-6 would (C09).
 */
export function specWithFaults(route: Route, faults: readonly string[], opts: { unpublishedHistory: boolean }): Route {
  return {
    ...route,
    async handle(req) {
      const reply = await route.handle(req);
      if (!('json' in reply) || reply.status !== 200) return reply;
      const doc = reply.json as SpecDocument;
      const { 'channel:history': _unpublished, ...rest } = doc.limits.rateLimits;
      return {
        ...reply,
        json: {
          ...doc,
          implementation: { ...doc.implementation, name: `${doc.implementation.name} (faults: ${faults.join(',')})` },
          limits: { ...doc.limits, rateLimits: opts.unpublishedHistory ? rest : doc.limits.rateLimits },
        },
      };
    },
  };
}
