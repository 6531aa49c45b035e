import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { startWithBadValue } from '../bad-start.ts';
import { freePort } from '../../../../testbed/services/free-port.ts';
import { withSiblingTarget } from '../sibling-target.ts';
import { portRange } from './port-range.ts';
import { reachableAt } from '../../../../testbed/targets/reachable-at.ts';

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
    ctx.expect(host === undefined || host === '127.0.0.1', 'the listening line names 127.0.0.1, the HOST the harness set', String(host ?? 'not logged'));
    // CFG-1, OPS-5: the port file the harness named holds the port (a target may also log it; the file is the contract).
    const portFile = proc.env.SOCKPROOF_PORT_FILE;
    const written = portFile ? (await readFile(portFile, 'utf8').catch(() => undefined))?.trim() : undefined;
    ctx.expect(written === String(proc.port), `SOCKPROOF_PORT_FILE holds the port ${proc.port} (OPS-5, CFG-1)`, written === undefined ? 'no file' : JSON.stringify(written.slice(0, 40)));
    // CFG-1, TRN-8 on the wire: the listening line says what the server meant, the socket what it did.
    await expectLoopbackOnly(ctx, proc.port, 'HOST=127.0.0.1 honoured: bound to 127.0.0.1 only (CFG-1)');

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
      // Without HOST as well (empty is unset): TRN-8's default.
      const env = { PORT: '', HOST: '', SOCKETIO_PORT_START: String(taken), SOCKETIO_PORT_END: String(last) };
      await withSiblingTarget(ctx, env, async (sibling) => {
        ctx.expect(sibling.port === second, `without PORT, with ${taken} taken: binds ${second}, the first free port of ${taken}..${last} (OPS-5, CFG-2)`, String(sibling.port));
        await expectLoopbackOnly(ctx, sibling.port, 'without HOST: bound to 127.0.0.1 by default, not every interface (TRN-8)');
      });
    } finally {
      await range.release();
    }

    // CFG-1: PORT set to a free port is the port it binds (a server that ignores PORT takes the range's first
    // free one, SOCKETIO_PORT_START's default 8765, or any, and writes that to the port file).
    const fixed = await freePort();
    await withSiblingTarget(ctx, {}, async (sibling) => {
      ctx.expect(sibling.port === fixed, `PORT=${fixed} honoured: it listens on ${fixed} (CFG-1)`, String(sibling.port));
    }, { port: fixed });
  },
});

/**
 * A server bound to 127.0.0.1 refuses a connection to 127.0.0.2; one bound to every interface (0.0.0.0,
 * ::) accepts it. Linux routes all of 127.0.0.0/8 to the loopback interface; elsewhere the address may
 * not exist, so the step is only observed on Linux.
 */
async function expectLoopbackOnly(ctx: CheckContext, port: number, what: string): Promise<void> {
  if (process.platform !== 'linux') {
    ctx.recorder.note(`${what}: not observed (127.0.0.2 is a loopback address on Linux only; this is ${process.platform})`);
    return;
  }
  const reached = await reachableAt('127.0.0.2', port);
  ctx.expect(reached === 'refused', `${what}: a connection to 127.0.0.2:${port} is refused`, reached);
}
