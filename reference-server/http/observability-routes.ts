import type { HealthResponse } from '../../spec/index.ts';
import { HTTP_PATHS } from '../../spec/index.ts';
import type { NodeContext } from '../context.ts';
import { requireAdmin } from './admin-auth.ts';
import type { Route } from './router.ts';

/** A dependency's health as HLTH-2 names it. */
export type DependencyCheck = () => Promise<HealthResponse['checks'][string]>;

/** HLTH-1..3, MET-1, MET-3, BRK-3, BRK-5 */
export function observabilityRoutes(
  ctx: NodeContext,
  startedAt: number,
  checks: Record<string, DependencyCheck>,
  /** Checks whose `down` makes the node unhealthy (503); any other check not up makes it degraded. */
  critical: readonly string[],
  recover: () => Promise<void>,
): Route[] {
  return [
    {
      method: 'GET',
      path: HTTP_PATHS.health,
      async handle() {
        const results = Object.fromEntries(await Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await check()] as const)));
        const criticalDown = critical.some((name) => results[name]?.status === 'down');
        const anyDown = Object.values(results).some((c) => c.status !== 'up');
        const status: HealthResponse['status'] = ctx.lifecycle.draining || criticalDown ? 'unhealthy' : anyDown ? 'degraded' : 'healthy';
        const body: HealthResponse = {
          status,
          checks: results,
          uptimeSeconds: (Date.now() - startedAt) / 1000,
          draining: ctx.lifecycle.draining,
        };
        return { status: status === 'unhealthy' ? 503 : 200, json: body };
      },
    },
    { method: 'GET', path: HTTP_PATHS.socketMetrics, handle: async () => ({ status: 200, json: ctx.metrics.snapshot() }) },
    {
      method: 'GET',
      path: HTTP_PATHS.prometheus,
      handle: async () => ({ status: 200, text: await ctx.metrics.prometheus(), contentType: ctx.metrics.registry.contentType }),
    },
    { method: 'GET', path: HTTP_PATHS.breakers, handle: async () => ({ status: 200, json: { breakers: ctx.breakers.statuses() } }) },
    {
      method: 'POST',
      path: HTTP_PATHS.recovery,
      async handle(req) {
        const admin = await requireAdmin(req, ctx.verifier);
        await recover();
        ctx.log.info({ userId: admin.userId }, 'recovery requested: breakers reset, dependencies reconnected');
        return { status: 200, json: { ok: true, breakers: ctx.breakers.statuses() } };
      },
    },
  ];
}
