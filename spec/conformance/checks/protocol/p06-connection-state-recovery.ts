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
    if (!ctx.spec.features.connectionStateRecovery) throw new CheckUnimplemented('the target does not publish features.connectionStateRecovery');
    await recoveryScene(ctx, { senderUrl: ctx.target.url, returnTo: ctx.target.url, label: 'the same node' });
  },
});
