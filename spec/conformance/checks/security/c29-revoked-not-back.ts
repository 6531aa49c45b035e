import { HTTP_PATHS } from '../../../http.ts';
import { CheckUnimplemented, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import type { WireConnection } from '../../wire/connection.ts';
import { msgKey } from '../scene.ts';
import { attemptRecovery, awaySession, carriedChannelData, describeLeak, type AwaySession } from './away-session.ts';

/**
 * Finding: a user kicked from a private channel while disconnected (membership revoked, no socket
 * removed) recovered within the window and could post there. And a member removed by the fixture
 * kept the sockets that had joined. A kick reaches the session held for recovery too, and whoever
 * may no longer read a private channel is out of it.
 */
export default defineCheck({
  id: 'C29',
  title: 'A user kicked while away (private or public channel) is not back in it after recovery; a member removed by the fixture is not left in it',
  group: 'Security',
  level: 'MUST',
  rules: ['SES-8', 'CHAN-5', 'MOD-2', 'FIX-1'],
  async run(ctx: CheckContext) {
    if (!ctx.spec.features.connectionStateRecovery) throw new CheckUnimplemented('the target does not publish features.connectionStateRecovery');
    const mod = await ctx.user('mod', ['moderator']);
    const modConn = await ctx.connectAs('mod', mod);
    // Kicked while away from a private channel (membership revoked) and from a public one (SES-8:
    // the kick covers the session held for recovery; the user may join the public one again).
    for (const kind of ['private', 'public'] as const) {
      const s = await awaySession(
        ctx,
        async ({ user, channelId }) => {
          const kicked = await ctx.ok(modConn, 'moderation:kick', { channelId, userId: user.id, reason: 'conformance check' }, `the moderator kicks the away user from the ${kind} channel`);
          ctx.recorder.note(`kicked while away: socketsRemoved ${kicked.socketsRemoved}`);
        },
        { private: kind === 'private' },
      );
      try {
        const who = `the user kicked from a ${kind} channel, recovering`;
        const attempt = await attemptRecovery(ctx, s, who, s.user.token, (conn) => notIn(ctx, s, conn, who));
        ctx.require(attempt.outcome.kind === 'connected', `${who}: reconnects (kicked, not banned)`, JSON.stringify(attempt.outcome));
        ctx.recorder.note(attempt.outcome.sid === s.sid ? 'recovered (same socket id)' : 'started afresh (new socket id)');
        ctx.expect(attempt.leaked.length === 0, `${who}: no frame of the messages sent to the channel after the kick`, describeLeak(attempt.leaked));
        await stillOut(ctx, s, attempt.conn, who);
      } finally {
        await s.lb.close();
      }
    }

    // The decision written down as CHAN-5: the fixture removing a member removes the sockets it has joined.
    const [member, stayer] = [await ctx.user('removed'), await ctx.user('stayer2')];
    const channelId = await ctx.channel({ private: true, members: [member.id, stayer.id] });
    const memberConn = await ctx.connectAs('removed', member);
    await ctx.ok(memberConn, 'channel:join', { channelId });
    const stayerConn = await ctx.connectAs('stayer2', stayer);
    await ctx.ok(stayerConn, 'channel:join', { channelId });
    const res = await ctx.http.send({ method: 'POST', path: HTTP_PATHS.adminChannels, token: ctx.adminToken, body: { id: channelId, private: true, members: [stayer.id] } });
    ctx.require(res.status === 200, `POST ${HTTP_PATHS.adminChannels} replacing the members (${member.id} removed) answered 200`, String(res.status));
    await stillOut(ctx, { channelId, sender: stayerConn }, memberConn, 'the removed member\'s socket');
  },
});

/** A post to the channel is refused FORBIDDEN (the socket is not in it; MSG-1). */
async function notIn(ctx: CheckContext, s: Pick<AwaySession, 'channelId'>, conn: WireConnection, who: string): Promise<void> {
  const reading = await ctx.call(conn, 'message:send', [{ channelId: s.channelId, text: 'am I back?', clientMsgId: msgKey(ctx) }]);
  ctx.expect(reading.kind === 'error' && reading.code === 'FORBIDDEN', `${who}: a post to the channel answered FORBIDDEN`, reading.kind === 'error' ? reading.code : reading.kind);
}

/** A new message in the channel does not reach the socket, and it cannot post there. */
async function stillOut(ctx: CheckContext, s: Pick<AwaySession, 'channelId' | 'sender'>, conn: WireConnection, who: string): Promise<void> {
  const sent = await ctx.ok(s.sender, 'message:send', { channelId: s.channelId, text: 'members only', clientMsgId: msgKey(ctx) });
  await s.sender.nextEvent('message:new', 5_000, (m) => (m as { id?: unknown }).id === sent.id);
  // The post's round trip is the barrier: the broadcast, sent before it, would have arrived first.
  await notIn(ctx, s, conn, who);
  const leaked = await carriedChannelData(conn, { channelId: s.channelId, missedIds: [sent.id] });
  ctx.expect(leaked.length === 0, `${who}: no frame of the channel's new message`, describeLeak(leaked));
}
