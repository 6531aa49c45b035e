import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDataDir } from './pglite-template.ts';

const REPO = new URL('..', import.meta.url).pathname;
const BIN = join(REPO, 'bin/sockproof.mjs');

export interface ServerProcess {
  url: string;
  port: number;
  secret: string;
  dataDir: string;
  child: ChildProcess;
  /** Everything the server wrote on stdout and stderr so far. */
  output(): string;
  /** Parsed pino lines of stdout. */
  logLines(): Record<string, unknown>[];
  /** Resolves with the exit code and signal once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  signal(sig: NodeJS.Signals): void;
  /** SIGKILL, wait for exit; the data dir stays for a restart. */
  kill(): Promise<void>;
  /** Starts a new server process on the same DATA_DIR and secret (a restart after a crash). */
  restart(extraEnv?: Record<string, string>): Promise<ServerProcess>;
  /** Stops the process (SIGKILL if needed) and removes its data dir. */
  dispose(): Promise<void>;
}

export interface ServerOptions {
  env?: Record<string, string>;
  dataDir?: string;
  secret?: string;
  startTimeoutMs?: number;
}

/** Limits loose enough that a test's own traffic never trips them unless it means to. */
export const RELAXED_LIMITS = JSON.stringify({ connection: { points: 100_000, durationMs: 60_000 } });

/** Starts the reference server as a real child process on a free port, with its own DATA_DIR. */
export async function startServer(opts: ServerOptions = {}): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'sockproof-server-')));
  if (!opts.dataDir) await seedDataDir(dataDir);
  const secret = opts.secret ?? randomBytes(32).toString('hex');
  const portFile = join(dataDir, `port-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      JWT_SECRET: secret,
      DATA_DIR: dataDir,
      SOCKPROOF_PORT_FILE: portFile,
      LOG_LEVEL: 'info',
      RATE_LIMITS: RELAXED_LIMITS,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const port = await waitForPort(portFile, exited, opts.startTimeoutMs ?? 60_000, () => out);
  const server: ServerProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    secret,
    dataDir,
    child,
    output: () => out,
    logLines: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    exited,
    signal: (sig) => void child.kill(sig),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    restart: (extraEnv) => startServer({ ...opts, env: { ...opts.env, ...extraEnv }, dataDir, secret }),
    async dispose() {
      await server.kill();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

async function waitForPort(
  portFile: string,
  exited: Promise<unknown>,
  timeoutMs: number,
  output: () => string,
): Promise<number> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const port = Number((await readFile(portFile, 'utf8')).trim());
      if (port > 0) return port;
    } catch {
      // not written yet
    }
    if (gone) throw new Error(`server exited during start-up:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server did not listen within ${timeoutMs} ms:\n${output()}`);
}
