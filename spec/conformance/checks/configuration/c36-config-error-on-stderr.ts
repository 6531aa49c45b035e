import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { startWithBadValue } from '../bad-start.ts';

/** OPS-1's SHOULD (decided in 1.0.1): the one line of a bad configuration on standard error, standard output left to the JSON logs. */
export default defineCheck({
  id: 'C36',
  title: 'A bad configuration\'s one line goes to standard error; standard output carries only JSON log lines',
  group: 'Configuration',
  level: 'SHOULD',
  rules: ['OPS-1'],
  needs: ['harness-started'],
  withoutFixtures: true,
  timeoutMs: 40_000,
  async run(ctx: CheckContext) {
    const bad = await startWithBadValue(ctx.target.process!, { PING_INTERVAL_MS: 'soon' });
    ctx.recorder.note(`start with PING_INTERVAL_MS=soon: exit ${bad.exit}; stderr: ${bad.stderr.slice(0, 300) || '(empty)'}; stdout: ${bad.stdout.slice(0, 300) || '(empty)'}`);
    const errLines = bad.stderr.split('\n').filter((l) => l.includes('PING_INTERVAL_MS'));
    ctx.expect(errLines.length > 0, 'standard error has the line naming PING_INTERVAL_MS', bad.stderr.trim().split('\n')[0] || '(nothing on standard error)');
    const plain = bad.stdout
      .split('\n')
      .filter((l) => l.trim())
      .filter((l) => {
        try {
          return typeof JSON.parse(l) !== 'object';
        } catch {
          return true;
        }
      });
    ctx.expect(plain.length === 0, 'standard output carries JSON log lines only', plain.slice(0, 2).join(' | ') || 'JSON only');
  },
});
