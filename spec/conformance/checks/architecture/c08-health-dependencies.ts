import type { CheckContext } from '../../context.ts';
import { HealthResponse, HTTP_PATHS } from '../../../http.ts';
import { defineCheck } from '../../check.ts';

/** What health must say for a set of dependency states (HLTH-2): pure. */
export function expectedHealth(checks: Record<string, { status: 'up' | 'down' | 'degraded' }>): 'healthy' | 'degraded' | 'unhealthy' {
  if (checks.store?.status === 'down') return 'unhealthy';
  if (Object.values(checks).some((c) => c.status !== 'up')) return 'degraded';
  return 'healthy';
}

export default defineCheck({
  id: 'C08',
  title: 'Health reflects dependency state',
  group: 'Architecture',
  level: 'MUST',
  rules: ['HLTH-2'],
  async run(ctx: CheckContext) {
    const res = await ctx.http.get(HTTP_PATHS.health);
    const parsed = HealthResponse.safeParse(res.body);
    ctx.require(parsed.success, 'GET /health/socket answers HealthResponse', res.text.slice(0, 200));
    const h = parsed.data;
    ctx.expect('store' in h.checks, 'checks names the store', Object.keys(h.checks).join(', '));
    const expected = expectedHealth(h.checks);
    ctx.expect(h.status === expected, `status ${expected} for checks ${JSON.stringify(h.checks)}`, h.status);
    ctx.expect((res.status === 503) === (h.status === 'unhealthy'), '503 exactly when unhealthy', String(res.status));
    if (!ctx.capabilities.dependencyControl) ctx.recorder.note('dependencies were not taken down (the harness does not control them): only the present state was checked');
  },
});
