import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { msgKey } from '../scene.ts';

export default defineCheck({
  id: 'S01',
  title: 'Channels: join and leave, private channels, per-socket membership',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['CHAN-1', 'CHAN-2', 'CHAN-3', 'CHAN-4'],
  async run(ctx: CheckContext) {
    const [member, outsider, admin] = [await ctx.user('member'), await ctx.user('outsider'), await ctx.user('admin', ['admin'])];
    const pub = await ctx.channel();
    const priv = await ctx.channel({ private: true, members: [member.id] });
    const m = await ctx.connectAs('member', member);
    const m2 = await ctx.connectAs('member#2', member);
    const o = await ctx.connectAs('outsider', outsider);
    const a = await ctx.connectAs('admin', admin);
    await ctx.refused(m, 'channel:join', [{ channelId: ctx.uniqueId('nochan') }], 'NOT_FOUND', 'join an unknown channel');
    const joined = await ctx.ok(m, 'channel:join', { channelId: pub });
    ctx.expect(joined.channelId === pub && joined.private === false && joined.lastSeq === 0, 'ack {channelId, private: false, lastSeq: 0} for a new public channel', JSON.stringify(joined));
    await ctx.ok(m, 'channel:join', { channelId: pub }, 'joining twice');
    await ctx.ok(o, 'channel:join', { channelId: pub }, 'a public channel open to every user');
    const p = await ctx.ok(m, 'channel:join', { channelId: priv }, 'a member joins the private channel');
    ctx.expect(p.private === true, 'private: true', String(p.private));
    await ctx.refused(o, 'channel:join', [{ channelId: priv }], 'FORBIDDEN', 'a non-member joins the private channel');
    await ctx.ok(a, 'channel:join', { channelId: priv }, 'an admin joins the private channel');

    // CHAN-4: the member's second socket has not joined: it neither sends nor receives.
    await ctx.refused(m2, 'message:send', [{ channelId: pub, text: 'x', clientMsgId: msgKey(ctx) }], 'FORBIDDEN', 'a socket that has not joined sends');
    const sent = await ctx.ok(o, 'message:send', { channelId: pub, text: 'hello', clientMsgId: msgKey(ctx) });
    const toJoined = await m.nextEvent('message:new', 2_000, (x) => (x as { id?: unknown }).id === sent.id);
    ctx.expect(toJoined !== undefined, 'the joined socket receives the message', toJoined ? 'yes' : 'no');
    const toOther = await m2.eventsWithin('message:new', 300);
    ctx.expect(toOther.length === 0, 'the not-joined socket of the same user receives nothing', `${toOther.length} messages`);
    // CHAN-2: lastSeq is the channel's latest seq at the join, not the figure it was created with.
    const late = await ctx.ok(a, 'channel:join', { channelId: pub }, 'a join after a message');
    ctx.expect(late.lastSeq === sent.seq, `ack lastSeq ${sent.seq} (the latest message's seq) for a join after a message`, String(late.lastSeq));

    await ctx.ok(m, 'channel:leave', { channelId: pub });
    await ctx.ok(m, 'channel:leave', { channelId: pub }, 'leaving a channel not joined');
    await ctx.refused(m, 'channel:leave', [{ channelId: ctx.uniqueId('nochan') }], 'NOT_FOUND', 'leaving an unknown channel');
    await ctx.ok(o, 'message:send', { channelId: pub, text: 'after leave', clientMsgId: msgKey(ctx) });
    const afterLeave = await m.eventsWithin('message:new', 300);
    ctx.expect(afterLeave.length === 0, 'a socket that left receives nothing more', `${afterLeave.length} messages`);
  },
});
