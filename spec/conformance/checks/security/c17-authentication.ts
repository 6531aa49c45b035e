import { ConnectErrorData } from '../../../errors.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { msgKey } from '../scene.ts';
import { badTokens } from './bad-tokens.ts';

export default defineCheck({
  id: 'C17',
  title: 'Authentication: missing, expired, wrong-key, alg none and confused tokens refused; banned users refused; kicked users removed',
  group: 'Security',
  level: 'MUST',
  rules: ['AUTH-1', 'AUTH-2', 'AUTH-3', 'AUTH-4', 'AUTH-6', 'AUTH-7', 'MOD-2', 'MOD-3'],
  async run(ctx: CheckContext) {
    const sub = ctx.uniqueId('intruder');
    for (const bad of await badTokens(sub, ctx.tokens)) {
      const conn = await ctx.open(`intruder (${bad.what})`);
      const outcome = await conn.connect(bad.auth);
      const data = outcome.kind === 'refused' ? ConnectErrorData.safeParse(outcome.data) : undefined;
      ctx.expect(data?.success === true && data.data.code === 'UNAUTHORIZED', `${bad.what}: connect_error {code: UNAUTHORIZED, message}`, JSON.stringify(outcome));
      conn.close();
    }

    const channelId = await ctx.channel();
    const mod = await ctx.user('mod', ['moderator']);
    const modConn = await ctx.connectAs('mod', mod);
    const victim = await ctx.user('banned');
    const victimConn = await ctx.connectAs('banned', victim);
    const banMs = 60_000;
    await ctx.ok(modConn, 'moderation:ban', { userId: victim.id, reason: 'conformance check', durationMs: banMs });
    ctx.expect(await victimConn.waitClosed(2_000), 'the banned user\'s socket is disconnected', victimConn.isOpen ? 'still connected' : 'closed');
    const again = await ctx.open('banned (again)');
    const outcome = await again.connect({ token: victim.token });
    const data = outcome.kind === 'refused' ? ConnectErrorData.safeParse(outcome.data) : undefined;
    ctx.expect(
      data?.success === true && data.data.code === 'BANNED' && data.data.retryAfterMs !== undefined && data.data.retryAfterMs > 0 && data.data.retryAfterMs <= banMs,
      `a banned user's handshake refused BANNED with 0 < retryAfterMs <= ${banMs}`,
      JSON.stringify(outcome),
    );

    const kicked = await ctx.user('kicked');
    const kickedConn = await ctx.connectAs('kicked', kicked);
    await ctx.ok(kickedConn, 'channel:join', { channelId });
    await ctx.ok(modConn, 'moderation:kick', { channelId, userId: kicked.id, reason: 'conformance check' });
    const notice = await kickedConn.nextEvent('moderation:kicked', 2_000);
    ctx.expect(notice !== undefined, 'the kicked user receives moderation:kicked', notice ? 'received' : 'nothing');
    await ctx.refused(kickedConn, 'message:send', [{ channelId, text: 'still here?', clientMsgId: msgKey(ctx) }], 'FORBIDDEN', 'a kicked socket sending to the channel');
  },
});
