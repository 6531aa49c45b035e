import { HealthResponse, HTTP_PATHS } from '../../../http.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { setTimeout as sleep } from 'node:timers/promises';

export default defineCheck({
  id: 'C19',
  title: 'Health endpoint answers its shape, status code and uptime',
  group: 'Production readiness',
  level: 'MUST',
  rules: ['HLTH-1', 'HLTH-2', 'HLTH-3'],
  async run(ctx: CheckContext) {
    const first = await ctx.http.get(HTTP_PATHS.health);
    const a = HealthResponse.safeParse(first.body);
    ctx.require(a.success, 'HealthResponse', first.text.slice(0, 200));
    ctx.expect(first.status === 200 && (a.data.status === 'healthy' || a.data.status === 'degraded'), '200 healthy or degraded on a working target', `${first.status} ${a.data.status}`);
    ctx.expect(a.data.draining === false, 'draining false while not shutting down', String(a.data.draining));
    ctx.expect(a.data.checks.store?.status === 'up', 'checks.store up', JSON.stringify(a.data.checks.store));
    await sleep(1_100);
    const second = HealthResponse.safeParse((await ctx.http.get(HTTP_PATHS.health)).body);
    ctx.expect(second.success && second.data.uptimeSeconds > a.data.uptimeSeconds, 'uptimeSeconds increases', second.success ? `${a.data.uptimeSeconds} -> ${second.data.uptimeSeconds}` : 'no HealthResponse');
  },
});
