import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type { TargetProcess } from '../target.ts';

/** How long a start with a bad value may take to stop by itself before it is killed. */
const BAD_START_BUDGET_MS = 20_000;

/** How a start with a bad value ended, and what it wrote on each stream (OPS-1: the line goes to stderr, SHOULD). */
export interface BadStart {
  /** The exit code; `listening` when it started anyway (killed then), `timeout` when it neither stopped nor listened. */
  exit: number | null | 'timeout' | 'listening';
  stdout: string;
  stderr: string;
  /** Both streams, in arrival order. */
  output: string;
  lines: string[];
}

/**
 * Starts the harness-started target's command once more with one bad value (S11, C36); it must stop by
 * itself. It gets a data directory of its own: a target that starts anyway must not open the running
 * target's store.
 */
export async function startWithBadValue(proc: TargetProcess, bad: Record<string, string>): Promise<BadStart> {
  const dataDir = await mkdtemp(join(proc.tempDir, 'bad-start-'));
  const child = spawn('sh', ['-c', `exec ${proc.spec.command}`], {
    cwd: proc.spec.cwd,
    env: { ...process.env, ...proc.env, PORT: '0', SOCKPROOF_PORT_FILE: '', DATA_DIR: dataDir, ...bad },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const streams = { stdout: '', stderr: '' };
  let output = '';
  const exit = await new Promise<BadStart['exit']>((resolve) => {
    const stop = (why: 'timeout' | 'listening') => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(why);
    };
    const timer = setTimeout(() => stop('timeout'), BAD_START_BUDGET_MS);
    const reader = (stream: keyof typeof streams) => (d: Buffer) => {
      streams[stream] += d.toString();
      output += d.toString();
      // It started anyway: no need to wait out the budget.
      if (output.includes('"listening"')) stop('listening');
    };
    child.stdout!.on('data', reader('stdout'));
    child.stderr!.on('data', reader('stderr'));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  return { exit, ...streams, output, lines: output.trim().split('\n').filter(Boolean) };
}
