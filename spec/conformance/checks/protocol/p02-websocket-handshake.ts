import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';

export default defineCheck({
  id: 'P02',
  title: 'Handshake directly over WebSocket, and an event round trip on it',
  group: 'Protocol',
  level: 'MUST',
  rules: ['TRN-1', 'TRN-2', 'ACK-1'],
  async run(ctx: CheckContext) {
    const user = await ctx.user('ws');
    const conn = await ctx.open('ws', { transports: ['websocket'] });
    ctx.require(conn.handshake !== undefined, 'a WebSocket-only Engine.IO session opens', conn.closedReason ?? 'no open packet');
    const outcome = await conn.connect({ token: user.token });
    ctx.require(outcome.kind === 'connected', 'CONNECT to "/" accepted', JSON.stringify(outcome));
    const channelId = await ctx.channel();
    await ctx.ok(conn, 'channel:join', { channelId });
    ctx.expect(conn.transportName === 'websocket', 'the transport is websocket', String(conn.transportName));
  },
});
