import { HTTP_PATHS } from '../../spec/index.ts';
import type { NodeContext } from '../context.ts';
import { requireAdmin } from '../http/admin-auth.ts';
import type { Route } from '../http/router.ts';

/**
 * `recovery-keeps-breakers-open`: POST /admin/socket/recovery checks the admin and answers a well-formed
 * RecoveryResponse with every breaker shown `closed`, but closes none and reconnects nothing (BRK-5). An
 * operator who calls it after fixing the database is told all is well while sends stay refused until each
 * breaker's own reset timeout: what the answer says is not what the node does. The chaos scenario
 * db-down-manual-recovery catches it (the send right after is refused, the breakers read back open); so does
 * C12 with `--deps postgres` (its send right after the recovery).
 */
export function recoveryKeepsBreakersOpen(ctx: NodeContext, route: Route): Route {
  if (route.method !== 'POST' || route.path !== HTTP_PATHS.recovery) return route;
  return {
    ...route,
    async handle(req) {
      await requireAdmin(req, ctx.verifier);
      const shown = Object.fromEntries(Object.entries(ctx.breakers.statuses()).map(([name, b]) => [name, { ...b, state: 'closed' as const }]));
      return { status: 200, json: { ok: true, breakers: shown } };
    },
  };
}
