import type { CheckContext } from '../../context.ts';
import { BreakersResponse, HTTP_PATHS, RecoveryResponse } from '../../../http.ts';
import { defineCheck } from '../../check.ts';

export default defineCheck({
  id: 'C03',
  title: 'Circuit breakers are reported with their state and configuration',
  group: 'Architecture',
  level: 'MUST',
  rules: ['BRK-1', 'BRK-3', 'BRK-5'],
  async run(ctx: CheckContext) {
    const res = await ctx.http.get(HTTP_PATHS.breakers);
    const parsed = BreakersResponse.safeParse(res.body);
    ctx.require(res.status === 200 && parsed.success, `GET ${HTTP_PATHS.breakers}: 200 BreakersResponse`, `${res.status}`);
    const names = Object.keys(parsed.data.breakers);
    ctx.expect(names.includes('store'), 'a breaker for the store (BRK-1)', names.join(', ') || '(none)');
    for (const [name, b] of Object.entries(parsed.data.breakers)) {
      ctx.expect(b.state === 'closed', `breaker ${name} closed on a healthy target`, b.state);
      ctx.expect(Date.parse(b.since) <= Date.now() + 1_000, `breaker ${name} since is not in the future`, b.since);
    }
    const noAuth = await ctx.http.send({ method: 'POST', path: HTTP_PATHS.recovery });
    ctx.expect(noAuth.status === 401, `POST ${HTTP_PATHS.recovery} without a token: 401`, String(noAuth.status));
    const rec = await ctx.http.send({ method: 'POST', path: HTTP_PATHS.recovery, token: ctx.adminToken });
    const recovered = RecoveryResponse.safeParse(rec.body);
    ctx.expect(rec.status === 200 && recovered.success, `POST ${HTTP_PATHS.recovery} (admin): 200 RecoveryResponse`, `${rec.status} ${rec.text.slice(0, 150)}`);
    if (recovered.success) {
      for (const [name, b] of Object.entries(recovered.data.breakers)) ctx.expect(b.state === 'closed', `breaker ${name} closed after recovery`, b.state);
    }
  },
});
