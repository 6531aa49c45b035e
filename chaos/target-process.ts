import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A chat server process a runner (load, chaos, the test suites) starts and owns: `sh -c "exec <command>"`
 * in its own process group, with PORT, HOST, JWT_SECRET, DATA_DIR and SOCKPROOF_PORT_FILE set; ready
 * once the port file holds a port. SIGKILL goes to the whole group (a crash); `restart()` starts it
 * again on the same port and data.
 */
export class TargetStartError extends Error {
  override name = 'TargetStartError';
}

export interface TargetCommand {
  command: string;
  cwd?: string;
  /** Added to the runner's environment (after the variables above, so it can override them). */
  env?: Record<string, string>;
  jwtSecret?: string;
  startTimeoutMs?: number;
  /** false: the process gets only PATH and the variables above (tests: no leaks from the caller's env). */
  inheritEnv?: boolean;
  /** Runs once on the fresh DATA_DIR before the first start (e.g. to seed a template). */
  prepareDataDir?: (dataDir: string) => Promise<void>;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Output kept per process, for tests that read its log lines. */
const OUTPUT_LIMIT = 4 * 1024 * 1024;

const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Relaxed limits for a server the runner starts itself: the run's own traffic must not trip them. */
export const RELAXED_RATE_LIMITS = {
  connection: { points: 100_000, durationMs: 60_000 },
  'message:send': { points: 100_000, durationMs: 60_000 },
} as const;

/** The reference server, as `npm run load` / `npm run chaos` start it when given no target. */
export function referenceServerCommand(): TargetCommand {
  return {
    command: `"${process.execPath}" bin/sockproof.mjs serve`,
    cwd: REPO_ROOT,
    env: { LOG_LEVEL: 'warn', RATE_LIMITS: JSON.stringify(RELAXED_RATE_LIMITS) },
  };
}

const live = new Set<TargetProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous last resort: never leave a server behind, even when the CLI exits early.
  process.on('exit', () => {
    for (const t of live) t.signal('SIGKILL');
  });
}

export class TargetProcess {
  private child: ChildProcess | undefined;
  private exitPromise: Promise<ExitStatus> = Promise.resolve({ code: null, signal: null });
  private running = false;
  private readonly tail: string[] = [];
  private out = '';
  private extraEnv: Record<string, string> = {};
  port = 0;
  starts = 0;

  private constructor(
    readonly spec: TargetCommand,
    readonly tempDir: string,
    readonly jwtSecret: string,
  ) {}

  static async start(spec: TargetCommand): Promise<TargetProcess> {
    const tempDir = await mkdtemp(join(tmpdir(), 'sockproof-run-'));
    const secret = spec.jwtSecret ?? randomBytes(32).toString('base64url');
    const t = new TargetProcess(spec, tempDir, secret);
    live.add(t);
    installExitHook();
    try {
      await spec.prepareDataDir?.(t.dataDir);
      await t.launch(0);
    } catch (err) {
      await t.dispose();
      throw err;
    }
    return t;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get isRunning(): boolean {
    return this.running;
  }

  get dataDir(): string {
    return join(this.tempDir, 'data');
  }

  /** Resolves with how the current (or last) process ended. */
  get exited(): Promise<ExitStatus> {
    return this.exitPromise;
  }

  /** Everything the process wrote on stdout and stderr, across restarts (bounded). */
  output(): string {
    return this.out;
  }

  /** The last lines the process wrote (for error messages). */
  lastOutput(lines = 3): string {
    return this.tail.slice(-lines).join(' | ').slice(0, 500);
  }

  private get portFile(): string {
    return join(this.tempDir, 'port');
  }

  private async launch(port: number): Promise<void> {
    await rm(this.portFile, { force: true });
    this.starts++;
    const child = spawn('sh', ['-c', `exec ${this.spec.command}`], {
      cwd: this.spec.cwd,
      env: {
        ...(this.spec.inheritEnv === false ? { PATH: process.env.PATH } : process.env),
        PORT: String(port),
        HOST: '127.0.0.1',
        JWT_SECRET: this.jwtSecret,
        DATA_DIR: this.dataDir,
        SOCKPROOF_PORT_FILE: this.portFile,
        ...this.spec.env,
        ...this.extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    this.running = true;
    const keep = (d: Buffer) => {
      if (this.out.length < OUTPUT_LIMIT) this.out += d.toString();
      for (const line of d.toString().split('\n')) {
        if (!line.trim()) continue;
        this.tail.push(line);
        if (this.tail.length > 50) this.tail.shift();
      }
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    let exitInfo: string | undefined;
    this.exitPromise = new Promise((done) =>
      child.once('exit', (code, signal) => {
        this.running = false;
        exitInfo = signal ?? `code ${code}`;
        done({ code, signal });
      }),
    );
    child.once('error', (err) => (exitInfo = err.message));

    const timeoutMs = this.spec.startTimeoutMs ?? 120_000;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exitInfo !== undefined) throw new TargetStartError(`the server command exited (${exitInfo}) before listening: ${this.lastOutput() || 'no output'}`);
      const p = await readFile(this.portFile, 'utf8').then((s) => Number(s.trim()), () => 0);
      if (Number.isInteger(p) && p > 0) {
        this.port = p;
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    this.signal('SIGKILL');
    throw new TargetStartError(`the server command did not write its port to SOCKPROOF_PORT_FILE within ${timeoutMs} ms: ${this.lastOutput() || 'no output'}`);
  }

  /** Sends a signal to the whole process group. */
  signal(sig: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined || !this.running) return;
    try {
      process.kill(-pid, sig);
    } catch {
      /* already gone */
    }
  }

  /** SIGKILL (a crash) and wait until the process is gone; the data stays. */
  async crash(): Promise<void> {
    this.signal('SIGKILL');
    await this.exitPromise;
  }

  /** Starts the command again on the same port, data and secret (after a crash), with extra env if given. */
  async restart(extraEnv: Record<string, string> = {}): Promise<void> {
    if (this.running) await this.crash();
    this.extraEnv = { ...this.extraEnv, ...extraEnv };
    await this.launch(this.port);
  }

  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its data. */
  async dispose(): Promise<void> {
    if (this.running) {
      this.signal('SIGTERM');
      const timer = setTimeout(() => this.signal('SIGKILL'), 5_000);
      await this.exitPromise;
      clearTimeout(timer);
    }
    live.delete(this);
    await rm(this.tempDir, { recursive: true, force: true });
  }
}
