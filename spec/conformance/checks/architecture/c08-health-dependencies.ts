import type { CheckContext } from '../../context.ts';
import { HealthResponse, HTTP_PATHS, isEmbeddedStore } from '../../../http.ts';
import { defineCheck } from '../../check.ts';
import type { DependencyName } from '../../dependencies.ts';
import { health, requireHealthy, within } from '../outage.ts';

type DependencyStatus = 'up' | 'down' | 'degraded';

/**
 * What health must say for a set of dependency states (HLTH-2), pure: a down *embedded* store
 * (features.durableStore "pglite", "sqlite" or "embedded…", in the node's own process: isEmbeddedStore)
 * is unhealthy; a down external store (any other durableStore, e.g. "postgres") or a down Redis is
 * degraded; all up is healthy.
 */
export function expectedHealth(checks: Record<string, { status: DependencyStatus }>, durableStore: string): 'healthy' | 'degraded' | 'unhealthy' {
  if (checks.store?.status === 'down' && isEmbeddedStore(durableStore)) return 'unhealthy';
  if (Object.values(checks).some((c) => c.status !== 'up')) return 'degraded';
  return 'healthy';
}

/** The health check name a dependency is reported under. */
const CHECK_NAME: Record<DependencyName, string> = { postgres: 'store', redis: 'redis' };
const SETTLE_MS = 5_000;

export default defineCheck({
  id: 'C08',
  title: 'Health reflects dependency state',
  group: 'Architecture',
  level: 'MUST',
  rules: ['HLTH-2'],
  timeoutMs: 60_000,
  async run(ctx: CheckContext) {
    const store = ctx.spec.features.durableStore;
    const res = await ctx.http.get(HTTP_PATHS.health);
    const parsed = HealthResponse.safeParse(res.body);
    ctx.require(parsed.success, 'GET /health/socket answers HealthResponse', res.text.slice(0, 200));
    const h = parsed.data;
    ctx.expect('store' in h.checks, 'checks names the store', Object.keys(h.checks).join(', '));
    if (ctx.spec.features.multiNode) ctx.expect('redis' in h.checks, 'a multi-node target names redis in checks', Object.keys(h.checks).join(', '));
    const expected = expectedHealth(h.checks, store);
    ctx.expect(h.status === expected, `status ${expected} for checks ${JSON.stringify(h.checks)} (durableStore ${store})`, h.status);
    ctx.expect((res.status === 503) === (h.status === 'unhealthy'), '503 exactly when unhealthy', String(res.status));

    const deps = ctx.capabilities.dependencies;
    if (!deps) {
      ctx.recorder.note('dependencies were not taken down (the harness does not control them, --deps): only the present state was checked');
      return;
    }
    for (const name of deps.names) {
      await requireHealthy(ctx, SETTLE_MS);
      const checkName = CHECK_NAME[name];
      await deps.cut(name);
      ctx.recorder.note(`${name} cut`);
      const seen = await within(SETTLE_MS, async () => {
        const now = await health(ctx);
        return now.body.checks[checkName]?.status === 'down' ? now : undefined;
      });
      ctx.expect(seen !== undefined, `checks.${checkName} down within ${SETTLE_MS} ms of cutting ${name}`, seen ? 'down' : 'never down');
      if (seen) {
        const want = expectedHealth(seen.body.checks, store);
        ctx.expect(want === 'degraded', `an external ${name} down is degraded by HLTH-2 (durableStore ${store})`, want);
        ctx.expect(seen.body.status === want && seen.status === (want === 'unhealthy' ? 503 : 200), `health ${want} answered ${want === 'unhealthy' ? 503 : 200} with ${name} down`, `${seen.body.status} ${seen.status}`);
      }
      await deps.heal(name);
      const back = await within(SETTLE_MS * 2, async () => (await health(ctx)).body.status === 'healthy');
      ctx.expect(back === true, `healthy again on its own after ${name} returns (DEG-5)`, back ? 'healthy' : 'still not healthy');
    }
  },
});
