import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';

export default defineCheck({
  id: 'P02',
  title: 'Handshake directly over WebSocket, and an event round trip on it',
  group: 'Protocol',
  level: 'MUST',
  rules: ['TRN-1', 'TRN-2', 'ACK-1'],
  // The round trip is typing:stop, answered for any channel id (TYP-2): no fixture channel, so it runs with the fixtures off (FIX-3).
  withoutFixtures: true,
  async run(ctx: CheckContext) {
    const user = await ctx.user('ws');
    const conn = await ctx.open('ws', { transports: ['websocket'] });
    ctx.require(conn.handshake !== undefined, 'a WebSocket-only Engine.IO session opens', conn.closedReason ?? 'no open packet');
    const outcome = await conn.connect({ token: user.token });
    ctx.require(outcome.kind === 'connected', 'CONNECT to "/" accepted', JSON.stringify(outcome));
    const channelId = ctx.uniqueId('ws-round-trip');
    const stopped = await ctx.ok(conn, 'typing:stop', { channelId }, 'a typing:stop round trip');
    ctx.expect(stopped.channelId === channelId && stopped.typing === false, 'answered through its ack: {channelId, typing: false}', JSON.stringify(stopped));
    ctx.expect(conn.transportName === 'websocket', 'the transport is websocket', String(conn.transportName));
  },
});
