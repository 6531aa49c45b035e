import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';

export default defineCheck({
  id: 'P03',
  title: 'A polling session upgrades to WebSocket, and events flow before and after',
  group: 'Protocol',
  level: 'MUST',
  rules: ['TRN-2'],
  // Its events are typing:stop, answered for any channel id (TYP-2): no fixture channel, so it runs with the fixtures off (FIX-3).
  withoutFixtures: true,
  async run(ctx: CheckContext) {
    const user = await ctx.user('upgrader');
    const channelId = ctx.uniqueId('upgrade-round-trip');
    const conn = await ctx.open('upgrader', { transports: ['polling', 'websocket'], upgrade: true });
    const outcome = await conn.connect({ token: user.token });
    ctx.require(outcome.kind === 'connected', 'CONNECT over polling accepted', JSON.stringify(outcome));
    await ctx.ok(conn, 'typing:stop', { channelId }, 'an event before or during the upgrade');
    ctx.expect(await conn.waitUpgraded(5_000), 'the session upgrades to websocket within 5 s', String(conn.transportName));
    await ctx.ok(conn, 'typing:stop', { channelId }, 'an event after the upgrade');
  },
});
