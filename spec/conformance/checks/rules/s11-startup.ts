import { spawn } from 'node:child_process';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';

const BAD_START_BUDGET_MS = 20_000;

export default defineCheck({
  id: 'S11',
  title: 'Start-up: bad configuration stops it with one line; it binds 127.0.0.1, writes the port file and logs "listening"',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['OPS-1', 'OPS-5', 'TRN-8'],
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

    const child = spawn('sh', ['-c', `exec ${proc.spec.command}`], {
      cwd: proc.spec.cwd,
      env: { ...process.env, ...proc.env, PORT: '0', PING_INTERVAL_MS: 'soon', SOCKPROOF_PORT_FILE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
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
    const lines = out.trim().split('\n').filter(Boolean);
    ctx.recorder.note(`start with PING_INTERVAL_MS=soon: exit ${exit}, output: ${out.slice(0, 400)}`);
    ctx.expect(typeof exit === 'number' && exit !== 0, 'a bad PING_INTERVAL_MS stops start-up with a non-zero exit (OPS-1)', String(exit));
    ctx.expect(lines.length >= 1 && lines.some((l) => l.includes('PING_INTERVAL_MS')), 'a line naming PING_INTERVAL_MS', lines.slice(0, 2).join(' | ') || '(no output)');
    ctx.expect(!out.includes(proc.jwtSecret), 'the secret is not printed', 'checked');
  },
});
