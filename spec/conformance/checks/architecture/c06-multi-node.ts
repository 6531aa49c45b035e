import type { CheckContext } from '../../context.ts';
import { defineCheck } from '../../check.ts';
import { msgKey } from '../scene.ts';

export default defineCheck({
  id: 'C06',
  title: 'Messages cross between nodes of a multi-node target',
  group: 'Architecture',
  level: 'MUST',
  rules: ['MSG-2', 'CHAN-4'],
  needs: ['multi-node'],
  async run(ctx: CheckContext) {
    const channelId = await ctx.channel();
    const [a, b] = [await ctx.user('here'), await ctx.user('there')];
    const here = await ctx.connectAs('here', a);
    const there = await ctx.connectAs('there', b, { url: ctx.capabilities.peers[0] });
    await ctx.ok(here, 'channel:join', { channelId });
    await ctx.ok(there, 'channel:join', { channelId });
    const sent = await ctx.ok(here, 'message:send', { channelId, text: 'across nodes', clientMsgId: msgKey(ctx) });
    const got = await there.nextEvent('message:new', 5_000, (m) => (m as { id?: unknown }).id === sent.id);
    ctx.expect(got !== undefined, 'the socket on the other node receives message:new', got ? 'received' : 'nothing within 5 s');
  },
});
