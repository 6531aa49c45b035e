import { Message } from '../../../events.ts';
import { encodeHtml } from '../../../text.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { msgKey, room } from '../scene.ts';

export default defineCheck({
  id: 'S02',
  title: 'Messages: stored, acked with the Message, broadcast to every socket in the channel (sender included)',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['MSG-1', 'MSG-2', 'MSG-6'],
  async run(ctx: CheckContext) {
    const r = await room(ctx, ['alice', 'bob']);
    const [alice, bob] = [r.members[0]!, r.members[1]!];
    const key = msgKey(ctx);
    const m = await ctx.ok(alice.conn, 'message:send', { channelId: r.channelId, text: 'Hi <b>Bob</b> & co', clientMsgId: key });
    ctx.expect(m.channelId === r.channelId && m.authorId === alice.user.id && m.clientMsgId === key && m.editedAt === null && m.seq === 1, 'Message {channelId, authorId, clientMsgId, editedAt: null, seq: 1}', JSON.stringify({ channelId: m.channelId, authorId: m.authorId, clientMsgId: m.clientMsgId, editedAt: m.editedAt, seq: m.seq }));
    ctx.expect(m.authorName === alice.user.id && m.authorNameHtml === encodeHtml(alice.user.id), 'authorName defaults to sub', m.authorName);
    ctx.expect(m.html === encodeHtml(m.text), 'html is encodeHtml(text)', m.html);
    for (const [who, conn] of [['sender', alice.conn], ['other member', bob.conn]] as const) {
      const got = await conn.nextEvent('message:new', 2_000, (x) => (x as { id?: unknown }).id === m.id);
      const parsed = got ? Message.safeParse(got.args[0]) : undefined;
      ctx.expect(parsed?.success === true && JSON.stringify(parsed.data) === JSON.stringify(m), `the ${who} receives message:new equal to the ack`, got ? JSON.stringify(got.args[0]).slice(0, 200) : 'nothing');
    }
    const m2 = await ctx.ok(bob.conn, 'message:send', { channelId: r.channelId, text: 'second', clientMsgId: msgKey(ctx) });
    ctx.expect(m2.seq === 2, 'seq 2 for the second message', String(m2.seq));
    await ctx.refused(alice.conn, 'message:send', [{ channelId: ctx.uniqueId('nochan'), text: 'x', clientMsgId: msgKey(ctx) }], 'NOT_FOUND', 'send to an unknown channel');
  },
});
