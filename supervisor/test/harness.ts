// Test helpers: run the real CLI and supervisor as processes, read their files, and clean up
// every process a test started, whatever happened in the test.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { METRICS_FILE_NAME } from '../config.ts';
import { LAUNCHER } from '../daemon-control.ts';
import { readMetricsFile, type MetricsFile } from '../metrics-file.ts';
import { readPortFile } from '../port-file.ts';
import { livePid, readPidFile } from '../pid-lock.ts';
import { isAlive, pidsWithEnvMarker } from '../proc-identity.ts';
import { signalGroup } from '../process-group.ts';
import { statePaths, SUPERVISED_BY_ENV } from '../state-dir.ts';

export { LAUNCHER } from '../daemon-control.ts';
export { isPortFree } from '../../testbed/services/free-port.ts';
export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
export const fixtureCommand = (name: string) => [process.execPath, fixture(name)];

export function makeStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'sockproof-sup-'));
}

/** A port range of its own per test, away from the defaults others use and below Linux's ephemeral ports (32768+). */
export function portRange(width = 10): { start: number; end: number } {
  const start = 20_000 + Math.floor(Math.random() * 1_200) * 10;
  return { start, end: start + width - 1 };
}

/** Small delays, set through the environment as a user would. */
export function supervisorEnv(stateDir: string, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { start, end } = portRange();
  return {
    ...process.env,
    SOCKPROOF_STATE_DIR: stateDir,
    SOCKETIO_PORT_START: String(start),
    SOCKETIO_PORT_END: String(end),
    SOCKETIO_MAX_RETRIES: '5',
    SOCKETIO_INITIAL_RETRY_DELAY: '0.1',
    SOCKETIO_MAX_RETRY_DELAY: '5',
    SOCKETIO_BACKOFF_FACTOR: '2',
    SOCKETIO_HEALTH_CHECK_INTERVAL: '0.2',
    SOCKETIO_HEALTH_CHECK_TIMEOUT: '2',
    SOCKETIO_UNHEALTHY_THRESHOLD: '3',
    SOCKETIO_STARTUP_TIMEOUT: '30',
    SOCKETIO_SHUTDOWN_TIMEOUT: '3',
    SOCKETIO_LOG_LEVEL: 'DEBUG',
    ...overrides,
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `sockproof …` to completion (bounded). */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [LAUNCHER, ...args], { env, timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number | null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

/** `daemon start --foreground`, as systemd Type=simple would run it: a child of the test. */
export function startForeground(env: NodeJS.ProcessEnv, serverCommand: string[] = []): ChildProcess & { exitedWith: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const args = [LAUNCHER, 'daemon', 'start', '--foreground', ...(serverCommand.length ? ['--', ...serverCommand] : [])];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exitedWith = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      if (stderr.trim()) process.stderr.write(`[supervisor stderr] ${stderr}\n`);
      resolve({ code, signal });
    }),
  );
  return Object.assign(child, { exitedWith });
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function metricsOf(stateDir: string): MetricsFile | undefined {
  const read = readMetricsFile(join(stateDir, METRICS_FILE_NAME));
  return read.ok ? read.metrics : undefined;
}

export const serverPidOf = (stateDir: string) => readPidFile(statePaths(stateDir).serverPid)?.pid;
export const supervisorPidOf = (stateDir: string) => readPidFile(statePaths(stateDir).supervisorPid)?.pid;
export const portOf = (stateDir: string) => readPortFile(statePaths(stateDir).portFile);

/** Waits until the supervisor reports a healthy server other than `notPid`; returns its pid. */
export function waitHealthyServer(stateDir: string, notPid?: number, timeoutMs = 45_000): Promise<number> {
  return waitFor(
    'a healthy server',
    () => {
      const m = metricsOf(stateDir);
      const pid = serverPidOf(stateDir);
      return m?.status === 'healthy' && pid !== undefined && pid !== notPid && isAlive(pid) ? pid : undefined;
    },
    timeoutMs,
  );
}

/** The supervisor log as parsed JSON lines. */
export function supervisorLog(stateDir: string): Array<Record<string, unknown> & { msg: string; time: number }> {
  try {
    return readFileSync(statePaths(stateDir).supervisorLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown> & { msg: string; time: number });
  } catch {
    return [];
  }
}

/** Processes started for this state directory's servers (the supervisor marks their environment). */
export const leftovers = (stateDir: string) => pidsWithEnvMarker(SUPERVISED_BY_ENV, stateDir);

/** Kills everything a test may have left: supervisor, server group, marked processes. Then removes the directory. */
export function cleanUp(stateDir: string, extra: Array<ChildProcess | undefined> = []): void {
  for (const child of extra) if (child?.pid && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  const sup = livePid(statePaths(stateDir).supervisorPid);
  if (sup) process.kill(sup, 'SIGKILL');
  const srv = serverPidOf(stateDir);
  if (srv) {
    signalGroup(srv, 'SIGCONT');
    signalGroup(srv, 'SIGKILL');
  }
  for (const pid of leftovers(stateDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  rmSync(stateDir, { recursive: true, force: true });
}
