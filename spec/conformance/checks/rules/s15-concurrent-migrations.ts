import { HTTP_PATHS } from '../../../http.ts';
import { AdminChannelResponse } from '../../../http.ts';
import { CheckInconclusive, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { health, nodeHttp } from '../outage.ts';
import { msgKey } from '../scene.ts';

export default defineCheck({
  id: 'S15',
  title: 'Nodes started together on a fresh database all come up on one schema (migrations safe when concurrent)',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['NODE-4'],
  // Not 'multi-node': a node that failed to start is what this check reports, even when it leaves no peer.
  needs: ['nodes-started-together'],
  async run(ctx: CheckContext) {
    const d = ctx.capabilities.deployment!;
    ctx.recorder.note(`${d.nodesStartedTogether} nodes were started at the same moment on a database no node had seen`);
    const allUp = ctx.expect(d.nodeStartFailures.length === 0, `all ${d.nodesStartedTogether} nodes came up`, d.nodeStartFailures.join('; ') || 'all up');
    const peer = ctx.capabilities.peers[0];
    if (!allUp || peer === undefined) return;
    for (const url of [undefined, peer]) {
      const h = await health(ctx, url);
      ctx.expect(h.body.checks.store?.status === 'up', `${url ?? ctx.target.url}: checks.store up`, JSON.stringify(h.body.checks));
    }
    // One schema: a channel written through node 2 is used on node 1, a message written on node 1 is read on node 2.
    const channelId = ctx.uniqueId('ch');
    const res = await nodeHttp(ctx, peer).send({ method: 'POST', path: HTTP_PATHS.adminChannels, token: ctx.adminToken, body: { id: channelId, private: false, members: [] } });
    if ((res.status !== 201 && res.status !== 200) || !AdminChannelResponse.safeParse(res.body).success) throw new CheckInconclusive(`fixture POST ${HTTP_PATHS.adminChannels} on node 2 answered ${res.status}`);
    const user = await ctx.user('reader');
    const one = await ctx.connectAs('node 1', user);
    await ctx.ok(one, 'channel:join', { channelId }, 'joining on node 1 a channel created on node 2');
    const sent = await ctx.ok(one, 'message:send', { channelId, text: 'one schema', clientMsgId: msgKey(ctx) });
    const two = await ctx.connectAs('node 2', user, { url: peer });
    await ctx.ok(two, 'channel:join', { channelId });
    const page = await ctx.ok(two, 'channel:history', { channelId, limit: 10 });
    const found = page.messages.filter((m) => m.id === sent.id && m.seq === sent.seq);
    ctx.expect(found.length === 1, 'node 2 reads the message node 1 stored, once, with its id and seq', `${found.length} copies`);
  },
});
