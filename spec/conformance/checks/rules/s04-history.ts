import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { msgKey } from '../scene.ts';

export default defineCheck({
  id: 'S04',
  title: 'History: newest first-limit, ascending seq, beforeSeq paging, edits applied, access rules',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['HIST-1', 'HIST-2', 'MSG-6'],
  async run(ctx: CheckContext) {
    const [writer, outsider, admin] = [await ctx.user('writer'), await ctx.user('outsider'), await ctx.user('admin', ['admin'])];
    const channelId = await ctx.channel();
    const w = await ctx.connectAs('writer', writer);
    await ctx.ok(w, 'channel:join', { channelId });
    const sent = [];
    for (let i = 1; i <= 7; i++) sent.push(await ctx.ok(w, 'message:send', { channelId, text: `m${i}`, clientMsgId: msgKey(ctx) }));
    ctx.expect(sent.every((m, i) => m.seq === i + 1), 'seq 1..7 in send order', sent.map((m) => m.seq).join(','));
    await ctx.ok(w, 'message:edit', { messageId: sent[2]!.id, text: 'm3 edited' });
    const o = await ctx.connectAs('outsider', outsider);
    const all = await ctx.ok(o, 'channel:history', { channelId }, 'history of a public channel without joining');
    ctx.expect(all.messages.map((m) => m.seq).join() === '1,2,3,4,5,6,7', 'all 7 in ascending seq', all.messages.map((m) => m.seq).join());
    ctx.expect(all.messages[2]?.text === 'm3 edited', 'the edit applied', String(all.messages[2]?.text));
    const last3 = await ctx.ok(o, 'channel:history', { channelId, limit: 3 });
    ctx.expect(last3.messages.map((m) => m.seq).join() === '5,6,7', 'limit 3: the newest three, ascending', last3.messages.map((m) => m.seq).join());
    const before = await ctx.ok(o, 'channel:history', { channelId, beforeSeq: 5, limit: 2 });
    ctx.expect(before.messages.map((m) => m.seq).join() === '3,4', 'beforeSeq 5, limit 2: seq 3,4', before.messages.map((m) => m.seq).join());
    await ctx.refused(o, 'channel:history', [{ channelId: ctx.uniqueId('nochan') }], 'NOT_FOUND', 'history of an unknown channel');
    const priv = await ctx.channel({ private: true, members: [writer.id] });
    await ctx.refused(o, 'channel:history', [{ channelId: priv }], 'FORBIDDEN', 'history of a private channel, not a member');
    const a = await ctx.connectAs('admin', admin);
    await ctx.ok(a, 'channel:history', { channelId: priv }, 'an admin reads a private channel');
    await ctx.ok(w, 'channel:history', { channelId: priv }, 'a member reads a private channel without joining');
  },
});
