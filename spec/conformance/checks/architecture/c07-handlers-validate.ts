import type { CheckContext } from '../../context.ts';
import { CLIENT_EVENT_NAMES } from '../../../events.ts';
import { defineCheck } from '../../check.ts';
import { invalidPayloads } from './invalid-payloads.ts';

export default defineCheck({
  id: 'C07',
  title: 'Every event handler validates its payload before anything else, and ignores unknown fields',
  group: 'Architecture',
  level: 'MUST',
  rules: ['ACK-1', 'ACK-2', 'ACK-3'],
  async run(ctx: CheckContext) {
    const user = await ctx.user('member');
    const conn = await ctx.connectAs('member', user);
    const cases = invalidPayloads(ctx.uniqueId('nochan'));
    for (const event of CLIENT_EVENT_NAMES) {
      for (const [what, payload] of cases[event]) await ctx.refused(conn, event, [payload], 'VALIDATION', `${event} with ${what}`);
    }
    const channelId = await ctx.channel();
    await ctx.ok(conn, 'channel:join', { channelId, futureField: { nested: true } } as { channelId: string }, 'channel:join with an unknown extra field');
  },
});
