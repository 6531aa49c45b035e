import { spawn } from 'node:child_process';

/**
 * Runs one of the operator's hooks (kill, restart, pause, resume a staging node), bounded in time, and keeps
 * what it did: exit code, how long it took, the tail of its output. An argv array runs without a shell; a
 * string is the operator's own command line, run with /bin/sh -c exactly as written: the runner never puts
 * anything into it (the node's name and URL reach the hook as SOCKPROOF_NODE and SOCKPROOF_NODE_URL).
 */
export interface HookResult {
  hook: string;
  node: string;
  /** null when it was killed at the timeout or by a signal. */
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** The last lines of its stdout and stderr together, secrets redacted (stderr only when stdout is captured). */
  output: string;
  /** Its whole stdout, when the run captures it (a token refresh prints tokens): never printed nor kept in a report. */
  stdout?: string;
}

export class HookFailedError extends Error {
  override name = 'HookFailedError';
  constructor(readonly result: HookResult) {
    super(`hook ${result.hook} of ${result.node} ${result.timedOut ? `did not finish within its timeout (${result.durationMs} ms)` : `exited ${result.exitCode}`}${result.output ? `: ${result.output.split('\n').at(-1)}` : ''}`);
  }
}

const OUTPUT_KEEP_CHARS = 2_000;

export interface HookRun {
  hook: string;
  node: { name: string; url: string };
  command: string | readonly string[];
  timeoutMs: number;
  /** Applied to the output before it is kept. */
  redact: (text: string) => string;
  /** Keep stdout apart, whole (up to STDOUT_MAX_CHARS), out of `output`: what the command prints is its result. */
  captureStdout?: boolean;
}

/** A captured stdout longer than this is cut (and then does not parse): the command printed far more than tokens. */
const STDOUT_MAX_CHARS = 16 * 2 ** 20;

export function runHook(run: HookRun): Promise<HookResult> {
  const [file, args] = typeof run.command === 'string' ? ['/bin/sh', ['-c', run.command]] : [run.command[0]!, run.command.slice(1)];
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      env: { ...process.env, SOCKPROOF_NODE: run.node.name, SOCKPROOF_NODE_URL: run.node.url },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: a timeout ends the hook and whatever it started
    });
    let output = '';
    let stdout = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-OUTPUT_KEEP_CHARS * 2);
    };
    if (run.captureStdout) child.stdout.on('data', (d: Buffer) => void (stdout.length < STDOUT_MAX_CHARS && (stdout += d.toString())));
    else child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, run.timeoutMs);
    const done = (exitCode: number | null, spawnError?: Error) => {
      clearTimeout(timer);
      const text = run.redact(`${output}${spawnError ? `\n${spawnError.message}` : ''}`).trim().slice(-OUTPUT_KEEP_CHARS);
      resolve({ hook: run.hook, node: run.node.name, exitCode, timedOut, durationMs: Math.round(performance.now() - t0), output: text, ...(run.captureStdout ? { stdout } : {}) });
    };
    child.once('error', (err) => done(null, err));
    child.once('close', (code) => done(timedOut ? null : code));
  });
}

/** Runs the hook and throws HookFailedError unless it exited 0 in time; the result is kept either way. */
export async function runHookOrThrow(run: HookRun, log: HookResult[]): Promise<HookResult> {
  const result = await runHook(run);
  log.push(result);
  if (result.exitCode !== 0) throw new HookFailedError(result);
  return result;
}
