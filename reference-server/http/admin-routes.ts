import { AdminChannelRequest, AdminLimitsRequest, HTTP_PATHS, type AdminFatalResponse } from '../../spec/index.ts';
import type { NodeContext } from '../context.ts';
import { errors } from '../errors.ts';
import { removeNonReaders } from '../events/moderation.ts';
import { requireAdmin } from './admin-auth.ts';
import { readJson } from './exchange.ts';
import type { Route } from './router.ts';
import type { z } from 'zod';

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw errors.invalid(parsed.error, 'body');
}

/** How POST /admin/channels validates its body and treats removed members; the defaults are the spec's. */
export interface ChannelFixtureRules {
  schema: typeof AdminChannelRequest;
  /** CHAN-5: whoever lost the right to read the channel is out of it now, not at their next join. */
  evictNonReaders: boolean;
}

/** FIX-1: creates or replaces a channel. */
export function channelFixtureRoute(ctx: NodeContext, rules: ChannelFixtureRules = { schema: AdminChannelRequest, evictNonReaders: true }): Route {
  return {
    method: 'POST',
    path: HTTP_PATHS.adminChannels,
    async handle(req) {
      const admin = await requireAdmin(req, ctx.verifier);
      const channel = parseBody(rules.schema, await readJson(req));
      const { created } = await ctx.store.upsertChannel(channel.id, channel.private, channel.members);
      if (!created && rules.evictNonReaders) await removeNonReaders(ctx, channel.id, admin.userId);
      const members = await ctx.store.listMembers(channel.id);
      return { status: created ? 201 : 200, json: { channel: { id: channel.id, private: channel.private, members }, created } };
    },
  };
}

/** How long after its 202 the fatal fixture throws: the answer is out by then. */
const FATAL_AFTER_MS = 100;

/** FIX-5: an exception outside any handler, on demand, so a harness can watch the supervisor restart the process (OPS-4). */
export function fatalFixtureRoute(ctx: NodeContext): Route {
  return {
    method: 'POST',
    path: HTTP_PATHS.adminFatal,
    async handle(req) {
      const admin = await requireAdmin(req, ctx.verifier);
      ctx.log.warn({ userId: admin.userId, throwsInMs: FATAL_AFTER_MS }, 'fatal fixture: an exception outside any handler follows (FIX-5)');
      // From a timer, not from this handler: the router would catch it (ACK-6), and OPS-4 is about what nothing catches.
      setTimeout(() => {
        throw new Error('fatal fixture (FIX-5): an exception outside any handler');
      }, FATAL_AFTER_MS);
      const json: AdminFatalResponse = { throwsInMs: FATAL_AFTER_MS };
      return { status: 202, json };
    },
  };
}

/** FIX-1, FIX-2, FIX-5: fixtures that let a harness set up its world. */
export function adminRoutes(ctx: NodeContext): Route[] {
  return [
    channelFixtureRoute(ctx),
    fatalFixtureRoute(ctx),
    {
      method: 'PUT',
      path: HTTP_PATHS.adminLimits,
      async handle(req) {
        const admin = await requireAdmin(req, ctx.verifier);
        const partial = parseBody(AdminLimitsRequest, await readJson(req));
        const rateLimits = await ctx.limits.replace(partial);
        ctx.log.warn({ userId: admin.userId, limits: Object.keys(partial) }, 'rate limits replaced at run time');
        return { status: 200, json: { rateLimits } };
      },
    },
    {
      method: 'DELETE',
      path: HTTP_PATHS.adminLimits,
      async handle(req) {
        const admin = await requireAdmin(req, ctx.verifier);
        const rateLimits = await ctx.limits.restore();
        ctx.log.info({ userId: admin.userId }, 'rate limits restored to the configured table');
        return { status: 200, json: { rateLimits } };
      },
    },
  ];
}
