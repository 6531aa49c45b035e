import type { CheckContext } from '../../context.ts';
import { DEFAULT_BREAKER_POLICY } from '../../../limits.ts';
import { BreakersResponse, HTTP_PATHS } from '../../../http.ts';
import { defineCheck } from '../../check.ts';

export default defineCheck({
  id: 'C10',
  title: 'Breaker thresholds as published',
  group: 'Configuration',
  level: 'MUST',
  rules: ['BRK-2', 'BRK-3'],
  async run(ctx: CheckContext) {
    const policy = ctx.spec.breakers;
    const same = (a: typeof policy, b: typeof policy) => a.failureThreshold === b.failureThreshold && a.windowMs === b.windowMs && a.resetTimeoutMs === b.resetTimeoutMs;
    ctx.recorder.note(same(policy, DEFAULT_BREAKER_POLICY) ? 'breaker policy is the spec default' : `breaker policy configured otherwise: ${JSON.stringify(policy)}`);
    const res = await ctx.http.get(HTTP_PATHS.breakers);
    const parsed = BreakersResponse.safeParse(res.body);
    ctx.require(parsed.success, 'BreakersResponse', res.text.slice(0, 200));
    const entries = Object.entries(parsed.data.breakers);
    ctx.require(entries.length > 0, 'at least one breaker', 'none');
    for (const [name, b] of entries) ctx.expect(same(b.policy, policy), `breaker ${name} policy ${JSON.stringify(policy)} as GET /spec publishes`, JSON.stringify(b.policy));
  },
});
