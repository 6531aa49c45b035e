import { randomBytes } from 'node:crypto';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { startWithBadValue } from '../bad-start.ts';
import { withSiblingTarget } from '../sibling-target.ts';
import { portRange } from './port-range.ts';

export default defineCheck({
  id: 'S11',
  title: 'Start-up: bad configuration (a bad PING_INTERVAL_MS, a JWT_SECRET under 32 bytes) stops it with one line; it binds 127.0.0.1, writes the port file and logs "listening"; without PORT it binds the first free port of SOCKETIO_PORT_START..END',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['OPS-1', 'OPS-5', 'TRN-8', 'AUTH-2', 'CFG-1', 'CFG-2', 'CFG-4', 'CFG-5'],
  needs: ['harness-started'],
  withoutFixtures: true,
  timeoutMs: 180_000, // a second target starts within it (slow on a loaded machine)
  async run(ctx: CheckContext) {
    const proc = ctx.target.process!;
    const listening = proc.logLines
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return undefined;
        }
      })
      .find((o) => o?.msg === 'listening');
    const quiet = ['warn', 'error', 'fatal', 'silent'].includes(proc.env.LOG_LEVEL ?? '');
    if (quiet && listening === undefined) ctx.recorder.note(`LOG_LEVEL=${proc.env.LOG_LEVEL}: no "listening" line expected; the port file gave ${proc.port}`);
    else ctx.expect(listening !== undefined && listening.port === proc.port, `a "listening" log line with port ${proc.port} (OPS-5)`, listening ? JSON.stringify(listening).slice(0, 200) : 'none');
    const host = listening?.host ?? listening?.address;
    ctx.expect(host === undefined || host === '127.0.0.1', 'bound to 127.0.0.1 by default (TRN-8)', String(host ?? 'not logged'));

    const bad = await startWithBadValue(proc, { PING_INTERVAL_MS: 'soon' });
    ctx.recorder.note(`start with PING_INTERVAL_MS=soon: exit ${bad.exit}, output: ${bad.output.slice(0, 400)}`);
    ctx.expect(typeof bad.exit === 'number' && bad.exit !== 0, 'a bad PING_INTERVAL_MS stops start-up with a non-zero exit (OPS-1)', String(bad.exit));
    ctx.expect(bad.lines.some((l) => l.includes('PING_INTERVAL_MS')), 'a line naming PING_INTERVAL_MS', bad.lines.slice(0, 2).join(' | ') || '(no output)');
    ctx.expect(!bad.output.includes(proc.jwtSecret), 'the secret is not printed', 'checked');

    // CFG-4 (decided in 1.0.1): a JWT_SECRET under 32 bytes stops start-up, and is not shown.
    const shortSecret = `s${randomBytes(15).toString('hex')}`;
    const short = await startWithBadValue(proc, { JWT_SECRET: shortSecret });
    ctx.recorder.note(`start with a JWT_SECRET of ${shortSecret.length} bytes: exit ${short.exit}, output: ${short.output.replaceAll(shortSecret, '<secret>').slice(0, 400)}`);
    ctx.expect(typeof short.exit === 'number' && short.exit !== 0, `a JWT_SECRET of ${shortSecret.length} bytes stops start-up with a non-zero exit (AUTH-2, CFG-4)`, String(short.exit));
    ctx.expect(short.lines.some((l) => l.includes('JWT_SECRET')), 'a line naming JWT_SECRET', short.lines.slice(0, 2).join(' | ').replaceAll(shortSecret, '<secret>') || '(no output)');
    ctx.expect(!short.output.includes(shortSecret), 'the short secret is not printed', 'checked');

    // OPS-5, CFG-2: without PORT, the first free port of the range, tried in turn. The range's first port is held
    // by the check, so a target that binds any free port, or only the first of the range, is caught.
    const range = await portRange(3);
    try {
      const [taken, second, last] = range.ports;
      const env = { PORT: '', SOCKETIO_PORT_START: String(taken), SOCKETIO_PORT_END: String(last) };
      await withSiblingTarget(ctx, env, async (sibling) => {
        ctx.expect(sibling.port === second, `without PORT, with ${taken} taken: binds ${second}, the first free port of ${taken}..${last} (OPS-5, CFG-2)`, String(sibling.port));
      });
    } finally {
      await range.release();
    }
  },
});
