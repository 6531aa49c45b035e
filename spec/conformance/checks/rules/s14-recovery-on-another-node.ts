import { CheckUnimplemented, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { recoveryScene } from '../recovery-scene.ts';

/** A client dropped from node 1 comes back through node 2, where the messages were sent. */
export default defineCheck({
  id: 'S14',
  title: 'A dropped socket that returns within the recovery window to another node gets its id and the broadcasts it missed, in order; refused and other users\' attempts on the first node get none',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['NODE-3', 'SES-5', 'SES-6', 'SES-7'],
  needs: ['multi-node'],
  async run(ctx: CheckContext) {
    if (!ctx.spec.features.connectionStateRecovery) throw new CheckUnimplemented('the target does not publish features.connectionStateRecovery');
    const peer = ctx.capabilities.peers[0]!;
    await recoveryScene(ctx, { senderUrl: peer, returnTo: peer, label: 'node 2' });
  },
});
