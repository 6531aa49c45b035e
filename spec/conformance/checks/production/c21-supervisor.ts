import { CheckUnimplemented, defineCheck } from '../../check.ts';

export default defineCheck({
  id: 'C21',
  title: 'The target runs under a supervisor that restarts it after a fatal exception',
  group: 'Production readiness',
  level: 'SHOULD',
  rules: ['OPS-4'],
  needs: ['supervisor'],
  async run() {
    throw new CheckUnimplemented('no supervisor is observed by this harness');
  },
});
