import { setTimeout as sleep } from 'node:timers/promises';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { judgeLogs } from './log-lines.ts';

export default defineCheck({
  id: 'C20',
  title: 'The target\'s logs are structured JSON lines and carry no token or secret',
  group: 'Production readiness',
  level: 'MUST',
  rules: ['OPS-3', 'AUTH-8'],
  needs: ['harness-started'],
  async run(ctx: CheckContext) {
    const proc = ctx.target.process!;
    // Give the log something to say about a refused token and an event, then read all of it.
    const user = await ctx.user('logged');
    const conn = await ctx.connectAs('logged', user);
    await ctx.call(conn, 'no:such:event', [{}]);
    const refused = await ctx.open('refused');
    await refused.connect({ token: `${user.token}x` });
    await sleep(300);
    const j = judgeLogs(proc.logLines, [proc.jwtSecret, user.token, ctx.adminToken]);
    ctx.expect(j.lines > 0, 'the target logged something', `${j.lines} lines`);
    ctx.expect(j.notJson.length === 0, 'every line is JSON', j.notJson.slice(0, 3).join(' | ') || 'all JSON');
    ctx.expect(j.missingFields.length === 0, 'every line has level, time and msg', j.missingFields.slice(0, 3).join(' | ') || 'all have them');
    ctx.expect(j.eventLinesWithoutContext.length === 0, 'event lines carry userId and socketId', j.eventLinesWithoutContext.slice(0, 3).join(' | ') || 'all do');
    ctx.expect(j.leaks.length === 0, 'no line contains the secret or a token (AUTH-8)', `${j.leaks.length} lines do`);
  },
});
