import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { msgKey, room } from '../scene.ts';
import { readHistory } from '../recovery/history.ts';

export default defineCheck({
  id: 'S03',
  title: 'Idempotent clientMsgId: a repeat returns the first message unchanged and broadcasts nothing',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['MSG-4', 'DUR-2'],
  async run(ctx: CheckContext) {
    const r = await room(ctx, ['sender', 'watcher']);
    const [sender, watcher] = [r.members[0]!, r.members[1]!];
    const key = msgKey(ctx);
    const first = await ctx.ok(sender.conn, 'message:send', { channelId: r.channelId, text: 'once', clientMsgId: key });
    const again = await ctx.ok(sender.conn, 'message:send', { channelId: r.channelId, text: 'once, changed', clientMsgId: key }, 'the repeat');
    ctx.expect(JSON.stringify(again) === JSON.stringify(first), 'the repeat acks the first stored message, unchanged', JSON.stringify(again).slice(0, 200));
    const seen = await watcher.conn.eventsWithin('message:new', 400);
    ctx.expect(seen.length === 1, 'exactly one message:new broadcast', `${seen.length}`);
    const other = await ctx.user('other');
    const otherConn = await ctx.connectAs('other', other);
    await ctx.ok(otherConn, 'channel:join', { channelId: r.channelId });
    const theirs = await ctx.ok(otherConn, 'message:send', { channelId: r.channelId, text: 'same key, other user', clientMsgId: key });
    ctx.expect(theirs.id !== first.id, 'the same key from another user is another message (keys are per user)', theirs.id);
    const history = await readHistory(ctx, sender.conn, r.channelId);
    ctx.expect(history.filter((m) => m.authorId === sender.user.id && m.clientMsgId === key).length === 1, 'history holds the key once for the sender', `${history.length} messages`);
  },
});
