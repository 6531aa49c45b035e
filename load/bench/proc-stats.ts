import { readFile } from 'node:fs/promises';

/**
 * A process's CPU time and resident memory, read from Linux's /proc as `ps` and pidusage do. The parsers are
 * pure (text in, numbers out); the readers resolve undefined when the process is gone or /proc is absent.
 */

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on every Linux ABI Node runs on). */
const USER_HZ = 100;

/** utime + stime of /proc/<pid>/stat, in ms. The command name (field 2) may hold spaces and parentheses. */
export function parseCpuMs(stat: string): number | undefined {
  const end = stat.lastIndexOf(')');
  if (end < 0) return undefined;
  // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
  const fields = stat.slice(end + 2).trim().split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / USER_HZ : undefined;
}

/** VmRSS of /proc/<pid>/status, in bytes. */
export function parseRssBytes(status: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
}

export async function readCpuMs(pid: number): Promise<number | undefined> {
  try {
    return parseCpuMs(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export async function readRssBytes(pid: number): Promise<number | undefined> {
  try {
    return parseRssBytes(await readFile(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** CPU and RSS summed over processes (two nodes count as one target); undefined when none could be read. */
export async function readUsage(pids: readonly number[]): Promise<{ cpuMs: number; rssBytes: number } | undefined> {
  let cpuMs = 0;
  let rssBytes = 0;
  let read = 0;
  for (const pid of pids) {
    const [cpu, rss] = await Promise.all([readCpuMs(pid), readRssBytes(pid)]);
    if (cpu === undefined || rss === undefined) continue;
    cpuMs += cpu;
    rssBytes += rss;
    read++;
  }
  return read ? { cpuMs, rssBytes } : undefined;
}
