import { HTTP_PATHS } from '../../../http.ts';
import { describeAck } from '../../ack.ts';
import { CheckInconclusive, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { nodeHttp } from '../outage.ts';

/** A limit small enough to reach across two nodes, with a window longer than the check. */
const POINTS = 4;
const LIMIT = { 'presence:update': { points: POINTS, durationMs: 60_000 } };

export default defineCheck({
  id: 'S13',
  title: 'Rate limits are counted once for the whole deployment: N calls spread over the nodes count as N',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['NODE-2', 'RATE-1'],
  needs: ['multi-node'],
  async run(ctx: CheckContext) {
    const peer = ctx.capabilities.peers[0]!;
    const nodes = [undefined, peer];
    // The same table on every node (FIX-2), then the harness's relaxed one back.
    for (const url of nodes) {
      const res = await nodeHttp(ctx, url).send({ method: 'PUT', path: HTTP_PATHS.adminLimits, token: ctx.adminToken, body: LIMIT });
      if (res.status !== 200) throw new CheckInconclusive(`fixture PUT ${HTTP_PATHS.adminLimits} on ${url ?? ctx.target.url} answered ${res.status}`);
    }
    try {
      const user = await ctx.user('spread');
      const onA = await ctx.connectAs('spread (node 1)', user);
      const onB = await ctx.connectAs('spread (node 2)', user, { url: peer });
      const seen: string[] = [];
      for (const [i, c] of [onA, onB, onA, onB, onA].entries()) {
        const r = await ctx.call(c, 'presence:update', [{ status: i % 2 ? 'away' : 'online' }]);
        seen.push(r.kind === 'ok' ? 'ok' : r.kind === 'error' ? r.code : describeAck(r));
      }
      const want = [...Array<string>(POINTS).fill('ok'), 'RATE_LIMITED'];
      ctx.expect(JSON.stringify(seen) === JSON.stringify(want), `${POINTS} presence:update calls alternating between the nodes pass and call ${POINTS + 1} is RATE_LIMITED`, seen.join(','));
    } finally {
      await ctx.relaxLimits();
      const res = await nodeHttp(ctx, peer).send({ method: 'PUT', path: HTTP_PATHS.adminLimits, token: ctx.adminToken, body: ctx.harnessLimits });
      if (res.status !== 200) ctx.recorder.note(`restoring the relaxed limits on ${peer} answered ${res.status}`);
    }
  },
});
