import { spawn } from 'node:child_process';
import { isAlive } from './proc-identity.ts';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the command could not be started at all (e.g. not found). */
  spawnError?: string;
}

/** A server process that leads its own process group (its pid is the group id). */
export interface GroupLeader {
  pid: number;
  /** Resolves once the leader has exited (and, for our own child, been reaped). */
  exited: Promise<ExitInfo>;
}

/**
 * Starts the command as the leader of a new session and process group, so that the whole
 * tree it forks can be signalled at once and nothing it starts outlives it. Output goes
 * straight to the log file descriptor, not through the supervisor: the server keeps logging
 * even if the supervisor is killed.
 */
export async function spawnGroupLeader(
  command: readonly string[],
  opts: { env: NodeJS.ProcessEnv; cwd: string; outputFd: number },
): Promise<GroupLeader | { spawnError: string; permanent: boolean }> {
  const [file, ...args] = command;
  if (!file) return { spawnError: 'empty server command', permanent: true };
  const child = spawn(file, args, { detached: true, stdio: ['ignore', opts.outputFd, opts.outputFd], env: opts.env, cwd: opts.cwd });
  if (child.pid === undefined) {
    // No process was created; the reason follows as an 'error' event.
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => child.once('error', resolve));
    // A missing or non-executable command will not fix itself by waiting.
    return { spawnError: err.message, permanent: err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'ENOTDIR' };
  }
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (err) => resolve({ code: null, signal: null, spawnError: err.message }));
  });
  return { pid: child.pid, exited };
}

/** Sends a signal to every process of the group; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    throw err;
  }
}

/** Exit of a process that is not our child (a server left by a supervisor that died): polled. */
export function pollExit(pid: number, everyMs = 50): Promise<ExitInfo> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (!isAlive(pid)) {
        clearInterval(timer);
        resolve({ code: null, signal: null });
      }
    }, everyMs);
  });
}

const within = <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    void p.then((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });

/**
 * Stops a process group: SIGTERM (and SIGCONT, so that a stopped process can act on it) to
 * the group, up to `timeoutMs` for the leader to exit, then SIGKILL. Once the leader is gone,
 * whatever is left of its group is killed too, so no orphan outlives the server.
 */
export async function stopGroup(leader: GroupLeader, timeoutMs: number): Promise<{ exit: ExitInfo | undefined; forced: boolean }> {
  signalGroup(leader.pid, 'SIGTERM');
  signalGroup(leader.pid, 'SIGCONT');
  let exit = await within(leader.exited, timeoutMs);
  let forced = false;
  if (exit === 'timeout') {
    forced = true;
    signalGroup(leader.pid, 'SIGKILL');
    exit = await within(leader.exited, 5_000);
  }
  signalGroup(leader.pid, 'SIGKILL');
  return { exit: exit === 'timeout' ? undefined : exit, forced };
}
