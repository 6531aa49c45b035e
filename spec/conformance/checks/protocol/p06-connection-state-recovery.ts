import { CheckUnimplemented, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { recoveryScene } from '../recovery-scene.ts';

/** A client whose transport is cut comes back to the same node and is recovered (unimplemented unless offered: SES-4 is a MAY). */
export default defineCheck({
  id: 'P06',
  title: 'Connection state recovery: a dropped socket that returns within the window gets its id, rooms and missed broadcasts; a forged token is refused with no frame of them, another user\'s token starts afresh',
  group: 'Protocol',
  level: 'MUST',
  rules: ['SES-4', 'SES-5', 'SES-6', 'SES-7'],
  async run(ctx: CheckContext) {
    if (!ctx.spec.features.connectionStateRecovery) {
      // SES-4: recovery is offered only when published. Socket.IO's CONNECT carries a private session id
      // (pid) exactly when the server keeps sessions for recovery: an offer GET /spec does not state.
      const user = await ctx.user('offer');
      const conn = await ctx.open('offer');
      const outcome = await conn.connect({ token: user.token });
      conn.close();
      const pid = outcome.kind === 'connected' ? outcome.pid : undefined;
      ctx.expect(pid === undefined, 'without features.connectionStateRecovery the CONNECT offers no recovery: no pid (SES-4)', pid === undefined ? `${outcome.kind}, no pid` : 'a pid: recovery offered but not published');
      if (pid === undefined) throw new CheckUnimplemented('the target does not publish features.connectionStateRecovery');
      return;
    }
    await recoveryScene(ctx, { senderUrl: ctx.target.url, returnTo: ctx.target.url, label: 'the same node' });
  },
});
