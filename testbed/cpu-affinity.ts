import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

/**
 * Which cores a process may run on (Linux). The bench uses it to give the database its own core, as it would
 * have its own host in production, instead of sharing two cores with the servers and the clients. Node has no
 * sched_setaffinity, so `taskset` (util-linux, on every Debian) sets it; a process started afterwards inherits
 * its parent's set, so pinning a postmaster before any client connects pins every backend it will fork.
 */

const run = promisify(execFile);

/** Pure: a kernel CPU list ("0-2,5") as the cores it names, ascending; [] for anything else. */
export function parseCpuList(list: string): number[] {
  const cores = new Set<number>();
  for (const part of list.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return [];
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) return [];
    for (let core = from; core <= to; core++) cores.add(core);
  }
  return [...cores].sort((a, b) => a - b);
}

/** A kernel CPU list file under /sys, as cores; undefined where it cannot be read. */
function readCpuListFile(path: string): number[] | undefined {
  try {
    return parseCpuList(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The cores `pid` may run on that are online: /proc/<pid>/status's mask may name CPUs that are offline (hotplug),
 * which taskset then refuses. [] where it cannot be read.
 */
export function allowedCpus(pid: number = process.pid): number[] {
  let allowed: number[];
  try {
    const m = /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    allowed = m ? parseCpuList(m[1]!) : [];
  } catch {
    return [];
  }
  const online = readCpuListFile('/sys/devices/system/cpu/online');
  // An online list that cannot be read (or parsed) says nothing: the mask alone.
  return online && online.length > 0 ? allowed.filter((core) => online.includes(core)) : allowed;
}

/** The hardware threads that share `core`'s physical core, itself included (just [core] where /sys does not say). */
export function threadSiblings(core: number): number[] {
  return readCpuListFile(`/sys/devices/system/cpu/cpu${core}/topology/thread_siblings_list`) ?? [core];
}

/** Whether `taskset` can be run here (util-linux). */
export function tasksetInstalled(): boolean {
  return spawnSync('taskset', ['--version'], { stdio: 'ignore' }).error === undefined;
}

/**
 * Restricts every thread of `pid` to `cores` (and what it starts from now on), and reads the result back:
 * `taskset --all-tasks` succeeds on a process that is gone. Rejects with the reason.
 */
export async function pinToCpus(pid: number, cores: readonly number[]): Promise<void> {
  if (cores.length === 0) throw new Error('no core to pin to');
  try {
    await run('taskset', ['--all-tasks', '--pid', '--cpu-list', cores.join(','), String(pid)]);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    throw new Error(e.code === 'ENOENT' ? 'taskset is not installed (Debian: util-linux)' : `taskset failed: ${(e.stderr ?? e.message).trim().split('\n')[0]}`);
  }
  const now = allowedCpus(pid);
  const wanted = [...cores].sort((a, b) => a - b);
  if (now.join(',') !== wanted.join(',')) throw new Error(`taskset left process ${pid} on cores [${now.join(',')}], not [${wanted.join(',')}] (gone, or not ours)`);
}
