import { describeAck } from '../../ack.ts';
import { CheckUnimplemented, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { msgKey } from '../scene.ts';
import { attemptRecovery, awaySession, describeLeak } from './away-session.ts';

/**
 * Finding: another user who learns a dropped socket's pid and offset (they travel in the client's
 * auth, logs, crash reports) connects with his own valid token plus them. He must start afresh:
 * a new socket id, none of the channel's missed messages, and no right to post in the channel.
 */
export default defineCheck({
  id: 'C27',
  title: 'Recovery is bound to the user: another user\'s valid token with a dropped socket\'s pid and offset starts afresh (new id, nothing missed, no rooms)',
  group: 'Security',
  level: 'MUST',
  rules: ['SES-6'],
  async run(ctx: CheckContext) {
    if (!ctx.spec.features.connectionStateRecovery) throw new CheckUnimplemented('the target does not publish features.connectionStateRecovery');
    const s = await awaySession(ctx);
    try {
      const other = await ctx.user('other');
      let post = '';
      const attempt = await attemptRecovery(ctx, s, 'another user with the pid and offset', other.token, async (conn) => {
        // The round trip is also the barrier: whatever was written at connect time has arrived before its ack.
        const reading = await ctx.call(conn, 'message:send', [{ channelId: s.channelId, text: 'not my channel', clientMsgId: msgKey(ctx) }]);
        post = reading.kind === 'error' ? reading.code : describeAck(reading);
      });
      ctx.require(attempt.outcome.kind === 'connected', 'the other user, with a valid token, is accepted (as a new socket)', JSON.stringify(attempt.outcome));
      ctx.expect(attempt.outcome.sid !== s.sid, 'a new socket id, not the dropped socket\'s', `${s.sid} -> ${attempt.outcome.sid}`);
      ctx.expect(attempt.leaked.length === 0, 'no frame of the channel\'s missed messages', describeLeak(attempt.leaked));
      ctx.expect(post === 'FORBIDDEN', 'a post to the dropped user\'s private channel answered FORBIDDEN (not in it, not a member)', post);
    } finally {
      await s.lb.close();
    }
  },
});
