import { ConnectErrorData } from '../../../errors.ts';
import { CheckUnimplemented, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { attemptRecovery, awaySession, describeLeak } from './away-session.ts';

/**
 * Finding: stock Socket.IO restores a session (and writes its missed packets) before the handshake
 * middleware has decided; a refused attempt still received what the user missed. Each refused
 * attempt here must get its CONNECT_ERROR and no frame of the channel's data.
 */
export default defineCheck({
  id: 'C28',
  title: 'A refused recovery (forged, expired, banned user\'s token) gets CONNECT_ERROR and no frame of the missed data',
  group: 'Security',
  level: 'MUST',
  rules: ['SES-7', 'SES-5', 'AUTH-6'],
  async run(ctx: CheckContext) {
    if (!ctx.spec.features.connectionStateRecovery) throw new CheckUnimplemented('the target does not publish features.connectionStateRecovery');
    const s = await awaySession(ctx);
    try {
      const mod = await ctx.user('mod', ['moderator']);
      const attempts: Array<{ what: string; code: string; token: () => Promise<string>; before?: () => Promise<void> }> = [
        { what: 'a forged token (signature altered)', code: 'UNAUTHORIZED', token: async () => `${s.user.token}x` },
        { what: 'the user\'s expired token', code: 'UNAUTHORIZED', token: () => ctx.tokens.mint({ sub: s.user.id, ttlSec: -600 }) },
        {
          what: 'the token of a user banned while away',
          code: 'BANNED',
          token: async () => s.user.token,
          before: async () => void (await ctx.ok(await ctx.connectAs('mod', mod), 'moderation:ban', { userId: s.user.id, reason: 'conformance check', durationMs: 60_000 })),
        },
      ];
      for (const a of attempts) {
        await a.before?.();
        const attempt = await attemptRecovery(ctx, s, `recovery with ${a.what}`, await a.token());
        const data = attempt.outcome.kind === 'refused' ? ConnectErrorData.safeParse(attempt.outcome.data) : undefined;
        ctx.expect(data?.success === true && data.data.code === a.code, `${a.what}: refused with connect_error {code: ${a.code}}`, JSON.stringify(attempt.outcome));
        ctx.expect(attempt.leaked.length === 0, `${a.what}: no frame of the channel's missed messages`, describeLeak(attempt.leaked));
        attempt.conn.close();
      }
    } finally {
      await s.lb.close();
    }
  },
});
