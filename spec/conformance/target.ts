import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The server under test: either one the harness attached to (--target), or one it started itself
 * (--server-cmd) with PORT=0, a fresh DATA_DIR and a random JWT_SECRET, as Autobahn's fuzzing
 * client starts the server it tests. Only a started target can be signalled, restarted and read.
 */
export interface Target {
  readonly url: string;
  readonly startedByHarness: boolean;
  /** Present when the harness started the target. */
  readonly process: TargetProcess | undefined;
}

export interface TargetExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  atMs: number;
}

const MAX_LOG_LINES = 20_000;

export interface StartOptions {
  command: string;
  cwd?: string;
  /** Environment added to the harness's own (e.g. timings for a fast run, SOCKPROOF_FAULTS). */
  env?: Record<string, string>;
  /** JWT_SECRET to give the target; random when absent. */
  jwtSecret?: string;
  startTimeoutMs?: number;
}

/** A target process the harness owns: its logs, signals, exit and restart (same DATA_DIR and secret). */
export class TargetProcess {
  child: ChildProcess | undefined;
  readonly logLines: string[] = [];
  exit: TargetExit | undefined;
  private exitWaiters: Array<(e: TargetExit) => void> = [];
  private startedAt = 0;
  port = 0;
  restarts = 0;
  /** Run after every restart, before restart() resolves (the runner puts its relaxed limits back: a target whose
   * rate-limit counts outlive it, e.g. in Redis, would otherwise throttle the harness's own connections). */
  readonly afterRestart: Array<() => Promise<void>> = [];

  private constructor(
    readonly options: StartOptions,
    readonly dataDir: string,
    readonly jwtSecret: string,
    private readonly portFile: string,
  ) {}

  static async start(options: StartOptions): Promise<TargetProcess> {
    const dataDir = await mkdtemp(join(tmpdir(), 'sockproof-target-'));
    const jwtSecret = options.jwtSecret ?? randomBytes(36).toString('base64url');
    const proc = new TargetProcess(options, dataDir, jwtSecret, join(dataDir, 'port'));
    liveTargets.add(proc);
    await proc.launch();
    return proc;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get env(): Record<string, string> {
    return {
      PORT: '0',
      HOST: '127.0.0.1',
      JWT_SECRET: this.jwtSecret,
      DATA_DIR: join(this.dataDir, 'data'),
      SOCKPROOF_PORT_FILE: this.portFile,
      ...this.options.env,
    };
  }

  private async launch(): Promise<void> {
    await rm(this.portFile, { force: true });
    this.exit = undefined;
    this.startedAt = performance.now();
    const child = spawn('sh', ['-c', `exec ${this.options.command}`], {
      cwd: this.options.cwd,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    let listenedPort: number | undefined;
    const onLine = (line: string) => {
      if (this.logLines.length >= MAX_LOG_LINES) this.logLines.shift();
      this.logLines.push(line);
      if (listenedPort === undefined && line.includes('listening')) {
        try {
          const parsed = JSON.parse(line) as { msg?: unknown; port?: unknown };
          if (parsed.msg === 'listening' && typeof parsed.port === 'number') listenedPort = parsed.port;
        } catch {
          /* not JSON: the structured-logs check reports it */
        }
      }
    };
    splitLines(child.stdout!, onLine);
    splitLines(child.stderr!, onLine);
    child.on('exit', (code, signal) => {
      const e = { code, signal, atMs: performance.now() };
      this.exit = e;
      for (const w of this.exitWaiters.splice(0)) w(e);
    });
    const timeoutMs = this.options.startTimeoutMs ?? 60_000;
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const exited = this.exit as TargetExit | undefined;
      if (exited) {
        throw new TargetStartError(
          `the target exited (${exited.signal ?? `code ${exited.code}`}) before listening; last output: ${this.logLines.slice(-3).join(' | ').slice(0, 400)}`,
        );
      }
      const fromFile = await readPortFile(this.portFile);
      const port = fromFile ?? listenedPort;
      if (port) {
        this.port = port;
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    this.kill('SIGKILL');
    throw new TargetStartError(`the target did not report a port within ${timeoutMs} ms (SOCKPROOF_PORT_FILE or a "listening" log line)`);
  }

  /** Milliseconds since the current process was launched. */
  get uptimeMs(): number {
    return performance.now() - this.startedAt;
  }

  get isRunning(): boolean {
    return this.child !== undefined && this.exit === undefined;
  }

  kill(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined || this.exit) return;
    try {
      process.kill(-pid, signal);
    } catch {
      /* already gone */
    }
  }

  /** Resolves with the exit, or undefined after timeoutMs. */
  waitExit(timeoutMs: number): Promise<TargetExit | undefined> {
    if (this.exit) return Promise.resolve(this.exit);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      this.exitWaiters.push((e) => {
        clearTimeout(timer);
        resolve(e);
      });
    });
  }

  /** Starts the target again on the same DATA_DIR and secret (after a crash or a shutdown). */
  async restart(): Promise<void> {
    if (this.isRunning) {
      this.kill('SIGKILL');
      await this.waitExit(5_000);
    }
    this.restarts++;
    await this.launch();
    for (const hook of this.afterRestart) await hook();
  }

  /** Stops the target (SIGTERM, then SIGKILL after graceMs) and removes its DATA_DIR. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.isRunning) {
      this.kill('SIGTERM');
      if (!(await this.waitExit(graceMs))) {
        this.kill('SIGKILL');
        await this.waitExit(2_000);
      }
    }
    liveTargets.delete(this);
    await rm(this.dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

export class TargetStartError extends Error {
  override name = 'TargetStartError';
}

async function readPortFile(path: string): Promise<number | undefined> {
  try {
    const n = Number((await readFile(path, 'utf8')).trim());
    return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
  } catch {
    return undefined;
  }
}

function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    rest += chunk;
    let i: number;
    while ((i = rest.indexOf('\n')) >= 0) {
      onLine(rest.slice(0, i));
      rest = rest.slice(i + 1);
    }
  });
  stream.on('end', () => {
    if (rest) onLine(rest);
  });
}

/** Targets this process started: killed if the harness exits without stopping them. */
const liveTargets = new Set<TargetProcess>();
process.once('exit', () => {
  for (const t of liveTargets) t.kill('SIGKILL');
});

export function attachedTarget(url: string): Target {
  return { url: url.replace(/\/+$/, ''), startedByHarness: false, process: undefined };
}

export function startedTarget(proc: TargetProcess): Target {
  return {
    get url() {
      return proc.url;
    },
    startedByHarness: true,
    process: proc,
  };
}
