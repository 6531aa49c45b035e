import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';

/** A start with a bad value stops at once; a target that ignores the variable is stopped after this. */
const START_BUDGET_MS = 10_000;

/**
 * URL variables of the reference configuration (README), each with a value that carries a password:
 * refused by its scheme (a configuration error, OPS-1) or accepted and unreachable (a start-up
 * failure). The password is fresh for each run, so finding it in the output can only mean it leaked.
 */
function badUrls(password: string): Array<{ name: string; value: string }> {
  return [
    { name: 'DATABASE_URL', value: `mysql://sockproof:${password}@db.invalid:3306/chat` },
    { name: 'DATABASE_URL', value: `postgres://sockproof:${password}@127.0.0.1:1/chat` },
    { name: 'REDIS_URL', value: `http://sockproof:${password}@127.0.0.1:1` },
    { name: 'JWT_JWKS_URL', value: `ftp://sockproof:${password}@127.0.0.1:1/jwks.json` },
  ];
}

export default defineCheck({
  id: 'C25',
  title: 'No URL password in start-up errors: a bad DATABASE_URL, REDIS_URL or JWT_JWKS_URL with a password never prints it',
  group: 'Security',
  level: 'MUST',
  rules: ['AUTH-9', 'OPS-1', 'CFG-4'],
  needs: ['harness-started'],
  withoutFixtures: true,
  timeoutMs: 60_000,
  async run(ctx: CheckContext) {
    const proc = ctx.target.process!;
    const password = `pw${randomBytes(9).toString('hex')}`;
    const dataDir = await mkdtemp(join(tmpdir(), 'sockproof-c25-'));
    try {
      for (const { name, value } of badUrls(password)) {
        const shownValue = value.replace(password, '<password>');
        const run = await startWith(proc.spec.command, proc.spec.cwd, { ...proc.env, PORT: '0', SOCKPROOF_PORT_FILE: '', DATA_DIR: dataDir, [name]: value }, proc.spec.inheritEnv !== false);
        ctx.recorder.note(`start with ${name}=${shownValue}: ${run.exit}; output: ${run.output.replaceAll(password, '<password>').slice(0, 400)}`);
        if (run.exit === 'still running') ctx.recorder.note(`the target kept running with ${name} set (it may not read it): stopped after ${START_BUDGET_MS} ms`);
        ctx.expect(!run.output.includes(password), `${name}=${shownValue}: the password appears nowhere in stdout or stderr (AUTH-9)`, run.output.includes(password) ? lineWith(run.output, password).replaceAll(password, '<password>') : 'absent');
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  },
});

async function startWith(command: string, cwd: string | undefined, env: Record<string, string>, inherit: boolean): Promise<{ exit: string; output: string }> {
  const child = spawn('sh', ['-c', `exec ${command}`], {
    cwd,
    env: { ...(inherit ? process.env : { PATH: process.env.PATH }), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exit = await new Promise<string>((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      resolve('still running');
    }, START_BUDGET_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve(`could not start: ${err.message}`);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(`exit ${code ?? signal}`);
    });
  });
  return { exit, output };
}

function lineWith(output: string, needle: string): string {
  return (output.split('\n').find((l) => l.includes(needle)) ?? '').slice(0, 300);
}
