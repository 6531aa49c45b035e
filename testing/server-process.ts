import { RELAXED_RATE_LIMITS, TargetProcess, referenceServerCommand } from '../testbed/targets/target-process.ts';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A reference server process of a test, with what tests read from it. */
export interface ServerProcess {
  url: string;
  port: number;
  secret: string;
  dataDir: string;
  /** Everything the server wrote on stdout and stderr so far, across restarts. */
  output(): string;
  /** Parsed pino lines of the output. */
  logLines(): Record<string, unknown>[];
  /**
   * The first log line that matches, waiting up to timeoutMs for it: stdout reaches the test
   * through a pipe, so a line may arrive after the socket answer that followed it.
   */
  waitForLog(matches: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code and signal once the current process is gone. */
  readonly exited: Promise<ExitStatus>;
  signal(sig: NodeJS.Signals): void;
  /** SIGKILL, wait for exit; the data dir stays for a restart. */
  kill(): Promise<void>;
  /** Starts the server again on the same port, DATA_DIR and secret (a restart after a crash). */
  restart(extraEnv?: Record<string, string>): Promise<ServerProcess>;
  /** Stops the process (SIGKILL if needed) and removes its data dir. */
  dispose(): Promise<void>;
}

export interface ServerOptions {
  env?: Record<string, string>;
  secret?: string;
  startTimeoutMs?: number;
}

/** Connections loose enough that a test's own traffic never trips them; the event limits stay the spec's, under test. */
const RELAXED_LIMITS = JSON.stringify({ connection: RELAXED_RATE_LIMITS.connection });

/**
 * Starts the reference server as a real child process on a free port, with its own DATA_DIR
 * and an environment of its own.
 */
export async function startServer(opts: ServerOptions = {}): Promise<ServerProcess> {
  const reference = referenceServerCommand();
  const target = await TargetProcess.start({
    ...reference,
    env: { LOG_LEVEL: 'info', RATE_LIMITS: RELAXED_LIMITS, ...opts.env },
    inheritEnv: false,
    jwtSecret: opts.secret,
    startTimeoutMs: opts.startTimeoutMs ?? 60_000,
  });
  const server: ServerProcess = {
    get url() {
      return target.url;
    },
    get port() {
      return target.port;
    },
    secret: target.jwtSecret,
    dataDir: target.dataDir,
    output: () => target.output(),
    logLines: () => target.logLines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
    async waitForLog(matches, timeoutMs = 5_000) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const line = server.logLines().find(matches);
        if (line) return line;
        if (performance.now() > deadline) throw new Error(`no matching log line within ${timeoutMs} ms; last lines: ${target.lastOutput()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    get exited() {
      return target.exited.then(({ code, signal }) => ({ code, signal }));
    },
    signal: (sig) => target.signal(sig),
    kill: () => target.crash(),
    async restart(extraEnv) {
      await target.restart(extraEnv);
      return server;
    },
    dispose: () => target.stop(),
  };
  return server;
}
