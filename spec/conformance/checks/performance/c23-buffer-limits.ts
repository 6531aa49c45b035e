import { HTTP_PATHS } from '../../../http.ts';
import { CheckInconclusive, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { PollingSession } from '../../wire/polling.ts';
import { room } from '../scene.ts';

/** A Socket.IO EVENT packet (the text inside an Engine.IO message) of about `bytes` bytes, with an ack id when given. */
const bigEvent = (bytes: number, ackId = '') => `2${ackId}["message:send",{"channelId":"x","clientMsgId":"big","text":"${'x'.repeat(bytes)}"}]`;

export default defineCheck({
  id: 'C23',
  title: 'Message and buffer limits: a packet over maxHttpBufferSize drops only that client, on both transports',
  group: 'Performance',
  level: 'MUST',
  rules: ['TRN-3', 'ACK-6'],
  timeoutMs: 60_000,
  async run(ctx: CheckContext) {
    const max = ctx.spec.transport.maxHttpBufferSize;
    const r = await room(ctx, ['bystander']);
    const bystander = r.members[0]!.conn;

    const near = await ctx.connectAs('near-limit', await ctx.user('near'));
    near.sendRawMessage(bigEvent(Math.floor(max * 0.9), '1'));
    const nearAck = await near.nextPacket('ACK', 5_000);
    ctx.expect(nearAck !== undefined && near.isOpen, `a packet of 90 % of ${max} bytes is answered (VALIDATION: text too long) and the client stays`, nearAck ? JSON.stringify(nearAck.args).slice(0, 120) : near.closedReason ?? 'no ack');

    const over = await ctx.connectAs('over-limit (websocket)', await ctx.user('over'));
    over.sendRawMessage(bigEvent(max + 1_000));
    ctx.expect(await over.waitClosed(5_000), `a websocket packet over ${max} bytes closes that client`, over.isOpen ? 'still open' : over.closedReason ?? 'closed');

    const polling = await PollingSession.handshake(ctx.target.url, ctx.spec.transport.path, ctx.recorder, 'over-limit (polling)');
    if (!polling.session) throw new CheckInconclusive(`no polling handshake: ${polling.status}`);
    const user = await ctx.user('overpoll');
    await polling.session.post([`40${JSON.stringify({ token: user.token })}`]);
    await polling.session.poll(5_000);
    const posted = await polling.session.post([`4${bigEvent(max + 1_000)}`], `POST of ${max + 1_000} bytes`);
    const afterwards = await polling.session.poll(3_000);
    const closed = posted.status === 413 || afterwards.kind === 'error' || (afterwards.kind === 'packets' && afterwards.packets.includes('1'));
    ctx.expect(closed, `a polling body over ${max} bytes refused (413) or the session closed`, `POST ${posted.status}, then ${afterwards.kind === 'packets' ? afterwards.packets.join(',') : afterwards.kind}`);

    ctx.expect(bystander.isOpen, 'a bystander unaffected', bystander.closedReason ?? 'connected');
    await ctx.ok(bystander, 'channel:join', { channelId: r.channelId }, 'the bystander still answered');
    const health = await ctx.http.get(HTTP_PATHS.health);
    ctx.expect(health.status === 200, 'the target healthy', String(health.status));
  },
});
