import { BanResult, KickedEvent, SessionEnded } from '../../../events.ts';
import { encodeHtml } from '../../../text.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { msgKey } from '../scene.ts';

export default defineCheck({
  id: 'S08',
  title: 'Moderation: roles required, kick removes every socket of the user, ban ends sessions and persists, no self-moderation',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['MOD-1', 'MOD-2', 'MOD-3', 'MOD-4', 'SES-1', 'AUTH-6'],
  destructive: true,
  async run(ctx: CheckContext) {
    const [mod, member, target] = [await ctx.user('mod', ['moderator']), await ctx.user('member'), await ctx.user('target')];
    const channelId = await ctx.channel({ private: true, members: [target.id, member.id] });
    const modConn = await ctx.connectAs('mod', mod);
    const memberConn = await ctx.connectAs('member', member);
    const t1 = await ctx.connectAs('target', target);
    const t2 = await ctx.connectAs('target#2', target);
    // MOD-2 (decided in 1.0.1): a kick concerns the channel; the user's sockets elsewhere are told nothing.
    const elsewhere = await ctx.connectAs('target#3 (not in the channel)', target);
    for (const c of [t1, t2]) await ctx.ok(c, 'channel:join', { channelId });

    await ctx.refused(memberConn, 'moderation:kick', [{ channelId, userId: target.id, reason: 'x' }], 'FORBIDDEN', 'a member kicks');
    await ctx.refused(memberConn, 'moderation:ban', [{ userId: target.id, reason: 'x' }], 'FORBIDDEN', 'a member bans');
    await ctx.refused(modConn, 'moderation:kick', [{ channelId, userId: mod.id, reason: 'x' }], 'VALIDATION', 'a moderator kicks themselves');
    await ctx.refused(modConn, 'moderation:ban', [{ userId: mod.id, reason: 'x' }], 'VALIDATION', 'a moderator bans themselves');

    const kick = await ctx.ok(modConn, 'moderation:kick', { channelId, userId: target.id, reason: 'spam & <stuff>' });
    ctx.expect(kick.socketsRemoved === 2, 'socketsRemoved 2 (both sockets of the user)', String(kick.socketsRemoved));
    for (const [label, c] of [['target', t1], ['target#2', t2]] as const) {
      const k = await c.nextEvent('moderation:kicked', 2_000);
      const parsed = k ? KickedEvent.safeParse(k.args[0]) : undefined;
      ctx.expect(parsed?.success === true && parsed.data.channelId === channelId && parsed.data.by === mod.id && parsed.data.reasonHtml === encodeHtml('spam & <stuff>'), `${label} receives moderation:kicked {channelId, reason, reasonHtml, by}`, k ? JSON.stringify(k.args[0]) : 'nothing');
      await ctx.refused(c, 'message:send', [{ channelId, text: 'x', clientMsgId: msgKey(ctx) }], 'FORBIDDEN', `${label} sends after the kick`);
    }
    const stray = await elsewhere.eventsWithin('moderation:kicked', 300);
    ctx.expect(stray.length === 0, 'the user\'s socket outside the channel receives no moderation:kicked', JSON.stringify(stray.map((a) => a.args[0])));
    await ctx.refused(t1, 'channel:join', [{ channelId }], 'FORBIDDEN', 'rejoining a private channel after a kick (membership revoked)');
    const absent = await ctx.ok(modConn, 'moderation:kick', { channelId, userId: ctx.uniqueId('absent'), reason: 'x' }, 'kicking a user who is not there');
    ctx.expect(absent.socketsRemoved === 0, 'socketsRemoved 0', String(absent.socketsRemoved));

    const banReason = 'for good & <ever>';
    const ban = await ctx.ok(modConn, 'moderation:ban', { userId: target.id, reason: banReason });
    ctx.expect(BanResult.safeParse(ban).success && ban.until === null && ban.socketsDisconnected === 3, 'a permanent ban: until null, socketsDisconnected 3 (every socket of the user, in a channel or not)', JSON.stringify(ban));
    for (const [label, c] of [['target', t1], ['target#2', t2]] as const) {
      const ended = await c.nextEvent('session:ended', 2_000);
      const parsed = ended ? SessionEnded.safeParse(ended.args[0]) : undefined;
      ctx.expect(parsed?.success === true && parsed.data.code === 'BANNED', `${label} receives session:ended BANNED before it is disconnected`, ended ? JSON.stringify(ended.args[0]) : 'nothing');
      ctx.expect(parsed?.data?.reason === banReason && parsed.data.reasonHtml === encodeHtml(banReason), `${label}'s session:ended carries the ban's reason and reasonHtml (MOD-3, TEXT-4)`, ended ? JSON.stringify(ended.args[0]) : 'nothing');
      ctx.expect(await c.waitClosed(2_000), `${label} disconnected`, c.isOpen ? 'still open' : 'closed');
    }
    const retry = await ctx.open('target (again)');
    const outcome = await retry.connect({ token: target.token });
    ctx.expect(outcome.kind === 'refused' && (outcome.data as { code?: unknown } | undefined)?.code === 'BANNED', 'a permanently banned user\'s handshake refused BANNED', JSON.stringify(outcome));
  },
});
