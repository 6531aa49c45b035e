import { CheckUnimplemented, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';

export default defineCheck({
  id: 'P06',
  title: 'Connection state recovery (when the target publishes it)',
  group: 'Protocol',
  level: 'MAY',
  rules: ['TRN-1'],
  async run(ctx: CheckContext) {
    if (!ctx.spec.features.connectionStateRecovery) throw new CheckUnimplemented('the target does not publish features.connectionStateRecovery');
    throw new CheckUnimplemented('recovery is published but this harness does not test it yet');
  },
});
