import { readFileSync } from 'node:fs';

/**
 * Last-chance cleanup for servers a test left running: when the test process exits or is told to stop
 * (vitest's pool sends SIGTERM, then SIGKILL one second later; Ctrl-C sends SIGINT), every registered
 * service is stopped and its files removed. All of it is synchronous, because an exit handler cannot wait.
 */
export interface ExitCleanup {
  /** Ask the server to end (send a signal; must not wait). */
  begin(): void;
  /** True once nothing of it is left running. */
  done(): boolean;
  /** Kill whatever is left and remove its files. */
  finish(): void;
}

/** How long exit cleanup lets servers shut down cleanly; below vitest's one-second SIGKILL grace. */
const GRACE_MS = 600;
const HANDLED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

const registered = new Set<ExitCleanup>();
let installed = false;

export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** True while `pid` exists and is not a zombie (an exited child nobody reaped still answers kill(pid, 0)). */
export function isProcessAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    try {
      process.kill(pid, 0); // no /proc (not Linux): best available answer
      return true;
    } catch {
      return false;
    }
  }
}

/** Runs every registered cleanup now; safe to call more than once. */
export function runExitCleanups(): void {
  const pending = [...registered];
  registered.clear();
  for (const cleanup of pending) safely(() => cleanup.begin());
  const deadline = Date.now() + GRACE_MS;
  while (Date.now() < deadline && pending.some((c) => !safelyDone(c))) sleepSync(20);
  for (const cleanup of pending) safely(() => cleanup.finish());
}

function safely(action: () => void): void {
  try {
    action();
  } catch {
    // Cleanup is best effort: one broken entry must not keep the others from running.
  }
}

function safelyDone(cleanup: ExitCleanup): boolean {
  try {
    return cleanup.done();
  } catch {
    return true;
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runExitCleanups();
  // Keep the default behaviour (end the process) unless someone else also listens and decides.
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runExitCleanups);
  for (const signal of HANDLED_SIGNALS) process.on(signal, onSignal);
}

/** Registers a cleanup; call the returned function once the service was stopped normally. */
export function registerExitCleanup(cleanup: ExitCleanup): () => void {
  install();
  registered.add(cleanup);
  return () => {
    registered.delete(cleanup);
  };
}
