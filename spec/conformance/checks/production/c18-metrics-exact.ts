import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SocketCounterName } from '../../../http.ts';
import { msgKey } from '../scene.ts';
import { actualDeltas, expectedDeltas, type MetricActions } from './metric-deltas.ts';

export default defineCheck({
  id: 'C18',
  title: 'Metrics counters move by exactly what the check did',
  group: 'Production readiness',
  level: 'MUST',
  rules: ['MET-1', 'MET-2', 'ACK-4', 'ACK-5'],
  async run(ctx: CheckContext) {
    const channelId = await ctx.channel();
    const [a, b] = [await ctx.user('counted'), await ctx.user('counted')];
    await sleep(200);
    const before = await ctx.metrics();
    const actions: MetricActions = { handshakesAccepted: 2, handshakesRefused: 1, newMessages: 3, idempotentRepeats: 1, sendsRefused: 2, otherEventsOk: 1, unknownEvents: 1, withoutCallback: 1 };

    const conn = await ctx.connectAs('counted', a);
    const second = await ctx.connectAs('counted#2', b);
    second.close();
    const refused = await ctx.open('refused');
    const r = await refused.connect({ token: 'not-a-jwt' });
    ctx.expect(r.kind === 'refused', 'a bad token refused', r.kind);
    refused.close();
    await ctx.ok(conn, 'channel:join', { channelId });
    const key = msgKey(ctx);
    await ctx.ok(conn, 'message:send', { channelId, text: 'one', clientMsgId: key });
    await ctx.ok(conn, 'message:send', { channelId, text: 'one', clientMsgId: key }, 'the idempotent repeat');
    await ctx.ok(conn, 'message:send', { channelId, text: 'two', clientMsgId: msgKey(ctx) });
    await ctx.ok(conn, 'message:send', { channelId, text: 'three', clientMsgId: msgKey(ctx) });
    await ctx.refused(conn, 'message:send', [{ channelId, text: '', clientMsgId: msgKey(ctx) }], 'VALIDATION');
    await ctx.refused(conn, 'message:send', [{ channelId: ctx.uniqueId('nochan'), text: 'x', clientMsgId: msgKey(ctx) }], 'NOT_FOUND');
    await ctx.refused(conn, 'no:such:event', [{}], 'VALIDATION');
    conn.emit('message:send', [{ channelId, text: 'no callback', clientMsgId: msgKey(ctx) }]);
    // Events on one socket are handled in order: once this later one is answered, the one before was seen.
    const fence = await ctx.call(conn, 'no:such:fence', [{}]);
    ctx.expect(fence.kind === 'error', 'the fence answered', fence.kind);
    const fenceRejected = 1;
    await sleep(300);

    const after = await ctx.metrics();
    const expected = expectedDeltas(actions);
    expected.eventsRejected = (expected.eventsRejected ?? 0) + fenceRejected;
    const actual = actualDeltas(before, after, Object.keys(expected) as SocketCounterName[]);
    for (const [name, want] of Object.entries(expected)) {
      ctx.expect(actual[name as SocketCounterName] === want, `${name} moves by ${want}`, String(actual[name as SocketCounterName]));
    }
    const history = await ctx.ok(second.isOpen ? second : await ctx.connectAs('reader', b), 'channel:history', { channelId });
    ctx.expect(!history.messages.some((m) => m.text === 'no callback'), 'the event without callback was not processed (ACK-5)', history.messages.map((m) => m.text).join(', '));
  },
});
