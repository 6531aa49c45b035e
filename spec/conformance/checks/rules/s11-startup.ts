import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import type { TargetProcess } from '../../target.ts';

const BAD_START_BUDGET_MS = 20_000;

export default defineCheck({
  id: 'S11',
  title: 'Start-up: bad configuration (a bad PING_INTERVAL_MS, a JWT_SECRET under 32 bytes) stops it with one line; it binds 127.0.0.1, writes the port file and logs "listening"',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['OPS-1', 'OPS-5', 'TRN-8', 'AUTH-2', 'CFG-1', 'CFG-2', 'CFG-4', 'CFG-5'],
  needs: ['harness-started'],
  withoutFixtures: true,
  timeoutMs: 40_000,
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
  },
});

/** Starts the target's command with one bad value; it must stop by itself (a target that keeps running is killed at the budget). */
async function startWithBadValue(proc: TargetProcess, bad: Record<string, string>): Promise<{ exit: number | null | 'timeout'; output: string; lines: string[] }> {
  const child = spawn('sh', ['-c', `exec ${proc.spec.command}`], {
    cwd: proc.spec.cwd,
    env: { ...process.env, ...proc.env, PORT: '0', SOCKPROOF_PORT_FILE: '', ...bad },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exit = await new Promise<number | null | 'timeout'>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('timeout');
    }, BAD_START_BUDGET_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  return { exit, output, lines: output.trim().split('\n').filter(Boolean) };
}
