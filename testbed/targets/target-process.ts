import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../repo-root.ts';
import { reachableAt } from './reachable-at.ts';

/**
 * A chat server process that sockproof starts and owns (the conformance harness's `--server-cmd`,
 * load and chaos runs, the test suites): `sh -c "exec <command>"` in its own process group, with
 * PORT, HOST, JWT_SECRET, DATA_DIR and SOCKPROOF_PORT_FILE set, as Autobahn's fuzzing client starts
 * the server it tests. It is ready once it reports its port: in the port file, or in a pino
 * `listening` line for servers that only log it. Signals go to the whole group; `restart()` starts
 * it again on the same port, data and secret.
 */
export class TargetStartError extends Error {
  override name = 'TargetStartError';
}

export interface TargetCommand {
  command: string;
  cwd?: string;
  /** Added after the variables above, so it can override them. */
  env?: Record<string, string>;
  jwtSecret?: string;
  startTimeoutMs?: number;
  /** false: the process gets only PATH and the variables above (tests: no leaks from the caller's env). */
  inheritEnv?: boolean;
  /** Runs once on the fresh DATA_DIR before the first start (e.g. to put a store from an earlier version there). */
  prepareDataDir?: (dataDir: string) => Promise<void>;
  /**
   * A fixed PORT, for a command that starts the server through another program (a supervisor, which
   * may give the server a port file of its own): ready once 127.0.0.1 accepts connections on it.
   */
  port?: number;
}

export interface TargetExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() when it exited. */
  atMs: number;
}

const MAX_LOG_LINES = 20_000;

/** Relaxed limits for a server sockproof starts itself: its own traffic must not trip them. */
export const RELAXED_RATE_LIMITS = {
  connection: { points: 100_000, durationMs: 60_000 },
  'message:send': { points: 100_000, durationMs: 60_000 },
  // RATE-6: the verdict reads every message back, a page of 100 at a time; clients re-join after every reconnect.
  'channel:history': { points: 100_000, durationMs: 60_000 },
  'channel:join': { points: 100_000, durationMs: 60_000 },
} as const;

/** The reference server, as `npm run load` / `npm run chaos` start it when given no target. */
export function referenceServerCommand(): TargetCommand {
  return {
    command: `"${process.execPath}" bin/sockproof.mjs serve`,
    cwd: REPO_ROOT,
    env: { LOG_LEVEL: 'warn', RATE_LIMITS: JSON.stringify(RELAXED_RATE_LIMITS) },
  };
}

/**
 * The project's supervisor in the foreground, starting the reference server (`sockproof daemon start
 * --foreground`, as the systemd unit runs it): the supervisor command of a conformance run that starts the
 * reference server itself (C21). Run from the repository root, as referenceServerCommand is.
 */
export function referenceSupervisorCommand(): string {
  return `"${process.execPath}" bin/sockproof.mjs daemon start --foreground`;
}

/** Started targets: killed (synchronously, as a last resort) if the process exits without stopping them. */
const live = new Set<TargetProcess>();
process.once('exit', () => {
  for (const t of live) t.signal('SIGKILL');
});

export class TargetProcess {
  private child: ChildProcess | undefined;
  private exitPromise: Promise<TargetExit> = Promise.resolve({ code: null, signal: null, atMs: 0 });
  private extraEnv: Record<string, string> = {};
  private startedAt = 0;
  /** Every line the process wrote on stdout and stderr, across restarts (bounded). */
  readonly logLines: string[] = [];
  /** How the current process ended; undefined while it runs. */
  exit: TargetExit | undefined;
  port = 0;
  restarts = 0;
  /** Run after every restart, before restart() resolves (e.g. to put relaxed limits back). */
  readonly afterRestart: Array<() => Promise<void>> = [];

  private constructor(
    readonly spec: TargetCommand,
    readonly tempDir: string,
    readonly jwtSecret: string,
  ) {}

  static async start(spec: TargetCommand): Promise<TargetProcess> {
    const tempDir = await mkdtemp(join(tmpdir(), 'sockproof-target-'));
    const t = new TargetProcess(spec, tempDir, spec.jwtSecret ?? randomBytes(32).toString('base64url'));
    t.port = spec.port ?? 0;
    live.add(t);
    try {
      await spec.prepareDataDir?.(t.dataDir);
      await t.launch();
    } catch (err) {
      await t.stop();
      throw err;
    }
    return t;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The server's process id while it runs (`sh -c exec` makes it the command itself). */
  get pid(): number | undefined {
    return this.isRunning ? this.child?.pid : undefined;
  }

  get isRunning(): boolean {
    return this.child !== undefined && this.exit === undefined;
  }

  get dataDir(): string {
    return join(this.tempDir, 'data');
  }

  private get portFile(): string {
    return join(this.tempDir, 'port');
  }

  /** The variables sockproof sets for the process (on top of its own environment, unless isolated). */
  get env(): Record<string, string> {
    return {
      PORT: String(this.port),
      HOST: '127.0.0.1',
      JWT_SECRET: this.jwtSecret,
      DATA_DIR: this.dataDir,
      SOCKPROOF_PORT_FILE: this.portFile,
      ...this.spec.env,
      ...this.extraEnv,
    };
  }

  /** Milliseconds since the current process was launched. */
  get uptimeMs(): number {
    return performance.now() - this.startedAt;
  }

  /** Resolves with how the current (or last) process ended. */
  get exited(): Promise<TargetExit> {
    return this.exitPromise;
  }

  output(): string {
    return this.logLines.join('\n');
  }

  /** The last lines the process wrote, for error messages. */
  lastOutput(lines = 3): string {
    return this.logLines.slice(-lines).join(' | ').slice(0, 500);
  }

  private async launch(): Promise<void> {
    await rm(this.portFile, { force: true });
    this.exit = undefined;
    this.startedAt = performance.now();
    const child = spawn('sh', ['-c', `exec ${this.spec.command}`], {
      cwd: this.spec.cwd,
      env: { ...(this.spec.inheritEnv === false ? { PATH: process.env.PATH } : process.env), ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    let loggedPort: number | undefined;
    const onLine = (line: string) => {
      if (this.logLines.length >= MAX_LOG_LINES) this.logLines.shift();
      this.logLines.push(line);
      if (loggedPort === undefined && line.includes('"listening"')) loggedPort = listeningPort(line);
    };
    splitLines(child.stdout!, onLine);
    splitLines(child.stderr!, onLine);
    let spawnError: string | undefined;
    child.once('error', (err) => (spawnError = err.message));
    this.exitPromise = new Promise((done) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal, atMs: performance.now() };
        done(this.exit);
      }),
    );

    const timeoutMs = this.spec.startTimeoutMs ?? 120_000;
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const ended = (this.exit as TargetExit | undefined) ?? (spawnError ? { signal: null, code: null } : undefined);
      if (ended) {
        const why = spawnError ?? ended.signal ?? `code ${ended.code}`;
        throw new TargetStartError(`the server command exited (${why}) before listening: ${this.lastOutput() || 'no output'}`);
      }
      const port = (await readPortFile(this.portFile)) ?? loggedPort ?? (this.spec.port && (await acceptsConnections(this.spec.port)) ? this.spec.port : undefined);
      if (port) {
        this.port = port;
        return;
      }
      await sleep(50);
    }
    this.signal('SIGKILL');
    throw new TargetStartError(
      `the server command did not report a port within ${timeoutMs} ms (SOCKPROOF_PORT_FILE or a "listening" log line${this.spec.port ? `, or a connection accepted on PORT=${this.spec.port}` : ''}): ${this.lastOutput() || 'no output'}`,
    );
  }

  /** Sends a signal to the whole process group. */
  signal(sig: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined || !this.isRunning) return;
    try {
      process.kill(-pid, sig);
    } catch {
      /* already gone */
    }
  }

  /** Resolves with the exit, or undefined after timeoutMs. */
  async waitExit(timeoutMs: number): Promise<TargetExit | undefined> {
    if (this.exit) return this.exit;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), timeoutMs)));
    const result = await Promise.race([this.exitPromise, timedOut]);
    clearTimeout(timer);
    return result;
  }

  /** SIGKILL (a crash) and wait until the process is gone; the data stays. */
  async crash(): Promise<void> {
    this.signal('SIGKILL');
    if (this.child) await this.exitPromise;
  }

  /** Starts the command again on the same port, data and secret (after a crash or a shutdown). */
  async restart(extraEnv: Record<string, string> = {}): Promise<void> {
    if (this.isRunning) await this.crash();
    this.extraEnv = { ...this.extraEnv, ...extraEnv };
    this.restarts++;
    await this.launch();
    for (const hook of this.afterRestart) await hook();
  }

  /** Stops the server (SIGTERM, then SIGKILL after graceMs) and removes its data. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.isRunning) {
      this.signal('SIGTERM');
      if (!(await this.waitExit(graceMs))) await this.crash();
    }
    live.delete(this);
    await rm(this.tempDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

function listeningPort(line: string): number | undefined {
  try {
    const parsed = JSON.parse(line) as { msg?: unknown; port?: unknown };
    return parsed.msg === 'listening' && typeof parsed.port === 'number' ? parsed.port : undefined;
  } catch {
    return undefined; // not JSON: the structured-logs check reports it
  }
}

/** Whether something listens on 127.0.0.1:port. */
export async function acceptsConnections(port: number): Promise<boolean> {
  return (await reachableAt('127.0.0.1', port)) === 'connected';
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
