import { readFile } from 'node:fs/promises';
import { childPids } from '../../testbed/process-tree.ts';

/**
 * A process's CPU time and resident memory, read from Linux's /proc as `ps` and pidusage do. The parsers are
 * pure (text in, numbers out); the readers resolve undefined when the process is gone or /proc is absent.
 */

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on every Linux ABI Node runs on). */
const USER_HZ = 100;

/**
 * Two tick fields of /proc/<pid>/stat summed, in ms. The command name (field 2) may hold spaces and parentheses,
 * so fields are counted after its closing parenthesis: `at` is the index there (state, field 3, is 0).
 */
function ticksMs(stat: string, at: number): number | undefined {
  const end = stat.lastIndexOf(')');
  if (end < 0) return undefined;
  const fields = stat.slice(end + 2).trim().split(/\s+/);
  const a = Number(fields[at]);
  const b = Number(fields[at + 1]);
  return Number.isFinite(a) && Number.isFinite(b) ? ((a + b) * 1000) / USER_HZ : undefined;
}

/** utime + stime (fields 14 and 15) of /proc/<pid>/stat, in ms. */
export function parseCpuMs(stat: string): number | undefined {
  return ticksMs(stat, 11);
}

/**
 * cutime + cstime (fields 16 and 17), in ms: the CPU of the children that have ended and been waited for. With
 * the running children's own, a process tree's CPU counts a child that ended during the run.
 */
export function parseEndedChildrenCpuMs(stat: string): number | undefined {
  return ticksMs(stat, 13);
}

/**
 * CPU time from /proc/stat, in ticks: busy (all but idle and iowait) and in all; of the whole machine (its first
 * line), or of `cores` alone (their `cpuN` lines; undefined when one is missing).
 */
export function parseCpuTicks(procStat: string, cores?: readonly number[]): { busy: number; total: number } | undefined {
  if (cores === undefined) return coreTicks(/^cpu\s+([\d\s]+)$/m.exec(procStat)?.[1]);
  let busy = 0;
  let total = 0;
  for (const core of cores) {
    const ticks = coreTicks(new RegExp(`^cpu${core}\\s+([\\d\\s]+)$`, 'm').exec(procStat)?.[1]);
    if (!ticks) return undefined;
    busy += ticks.busy;
    total += ticks.total;
  }
  return { busy, total };
}

function coreTicks(line: string | undefined): { busy: number; total: number } | undefined {
  const t = line?.trim().split(/\s+/).map(Number);
  if (!t || t.length < 5 || t.some((v) => !Number.isFinite(v))) return undefined;
  // user nice system idle iowait irq softirq steal [guest guest_nice, already inside user and nice]
  const [user, nice, system, idle, iowait, irq = 0, softirq = 0, steal = 0] = t as [number, number, number, number, number, ...number[]];
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
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

/**
 * CPU of a process and its children, in ms: a service's server with its workers (PostgreSQL's backend per
 * connection). Undefined when the process is gone.
 */
export async function readTreeCpuMs(pid: number): Promise<number | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const own = parseCpuMs(stat);
  const ended = parseEndedChildrenCpuMs(stat);
  if (own === undefined || ended === undefined) return undefined;
  const running = await Promise.all(childPids(pid).map((child) => readCpuMs(child)));
  return own + ended + running.reduce<number>((sum, ms) => sum + (ms ?? 0), 0);
}

/** CPU ticks of `cores` (all the machine's when undefined). */
export async function readCpuTicks(cores?: readonly number[]): Promise<{ busy: number; total: number } | undefined> {
  try {
    return parseCpuTicks(await readFile('/proc/stat', 'utf8'), cores);
  } catch {
    return undefined;
  }
}
