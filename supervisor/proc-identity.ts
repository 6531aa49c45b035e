import { readdirSync, readFileSync } from 'node:fs';

/**
 * Facts about a process by pid, from /proc on Linux. Elsewhere only liveness is known, and
 * the checks that need /proc answer "cannot tell" rather than guess.
 */

/** True when a process with this pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return procState(pid) !== 'Z';
}

function procStatFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself hold spaces or ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function procState(pid: number): string | undefined {
  return procStatFields(pid)?.[0];
}

/** Clock ticks per second of /proc's times; 100 on every Linux port in use. */
const CLOCK_TICKS = 100;

function bootTimeMs(): number | undefined {
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    return m ? Number(m[1]) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** When the process started (epoch ms, to within about a second), or undefined if unknown. */
export function processStartedAtMs(pid: number): number | undefined {
  const fields = procStatFields(pid);
  const boot = bootTimeMs();
  // starttime is field 22 of stat, index 19 once pid and comm are dropped.
  const ticks = fields ? Number(fields[19]) : NaN;
  if (boot === undefined || !Number.isFinite(ticks)) return undefined;
  return boot + (ticks / CLOCK_TICKS) * 1000;
}

/**
 * Whether the process now at `pid` can be the one a file written at `writtenAtMs` named: it
 * must be alive and must have started before the file was written (a later start means the
 * pid was reused by another program). Boot time is known to the second, hence the slack.
 */
export function isSameProcess(pid: number, writtenAtMs: number): boolean {
  if (!isAlive(pid)) return false;
  const startedAt = processStartedAtMs(pid);
  return startedAt === undefined || startedAt <= writtenAtMs + 1500;
}

/** Whether the process's environment holds NAME=value; undefined when it cannot be read. */
export function hasEnvMarker(pid: number, name: string, value: string): boolean | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`${name}=${value}`);
  } catch {
    return undefined;
  }
}

/** Pids of live processes whose environment holds NAME=value (Linux only; empty elsewhere). */
export function pidsWithEnvMarker(name: string, value: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => pid !== process.pid && hasEnvMarker(pid, name, value) === true && isAlive(pid));
}
