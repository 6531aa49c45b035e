import { SessionEnded } from '../../../events.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';

const TTL_S = 2;
/** AUTH-5: within 1 s of exp; plus the clock granularity of exp (whole seconds) and network slack. */
const LATE_MS = 1_000 + 1_000 + 300;

export default defineCheck({
  id: 'S09',
  title: 'Token expiry ends the session: session:ended UNAUTHORIZED, then disconnect, within 1 s of exp',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['AUTH-5', 'SES-1'],
  timeoutMs: 20_000,
  async run(ctx: CheckContext) {
    const user = await ctx.user('expiring', ['member'], { ttlSec: TTL_S });
    const conn = await ctx.connectAs('expiring', user);
    const connectedAt = ctx.recorder.now();
    const ended = await conn.nextEvent('session:ended', TTL_S * 1000 + LATE_MS + 500);
    const parsed = ended ? SessionEnded.safeParse(ended.args[0]) : undefined;
    ctx.expect(parsed?.success === true && parsed.data.code === 'UNAUTHORIZED', 'session:ended {code: UNAUTHORIZED}', ended ? JSON.stringify(ended.args[0]) : 'nothing');
    const closed = await conn.waitClosed(1_500);
    const at = conn.closedAtMs;
    ctx.expect(closed && at !== undefined && at - connectedAt <= TTL_S * 1000 + LATE_MS, `disconnected within ${TTL_S} s + ${LATE_MS} ms of connecting with a ${TTL_S} s token`, at === undefined ? 'still open' : `${Math.round(at - connectedAt)} ms`);
  },
});
