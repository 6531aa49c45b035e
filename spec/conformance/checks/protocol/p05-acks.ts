import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const BURST = 20;

export default defineCheck({
  id: 'P05',
  title: 'Acks: a burst of events sent in one write is answered once each, matched by ack id',
  group: 'Protocol',
  level: 'MUST',
  rules: ['ACK-1'],
  // typing:stop (ok for any channel id, TYP-2) and history of a channel that does not exist (NOT_FOUND):
  // no fixture channel, so it runs with the fixtures off (FIX-3), within the default limits of one user.
  withoutFixtures: true,
  async run(ctx: CheckContext) {
    const user = await ctx.user('burst');
    const conn = await ctx.connectAs('burst', user);
    const channelId = ctx.uniqueId('burst');
    const replies = await Promise.all(
      Array.from({ length: BURST }, (_, i) => (i % 2 ? ctx.call(conn, 'typing:stop', [{ channelId }]) : ctx.call(conn, 'channel:history', [{ channelId: `${channelId}-none${i}` }]))),
    );
    replies.forEach((r, i) => {
      const want = i % 2 ? 'ok' : 'error';
      ctx.expect(r.kind === want, `event ${i} answered ${want} through its own ack`, r.kind);
    });
    await sleep(300);
    const dupes = [...conn.ackCounts.entries()].filter(([, n]) => n > 1);
    ctx.expect(dupes.length === 0, 'no ack answered twice', dupes.map(([id, n]) => `#${id}×${n}`).join(', ') || 'none');
  },
});
