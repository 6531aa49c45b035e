import { readdirSync, readFileSync } from 'node:fs';

/**
 * A process's children, from Linux's /proc: the services' stop signals them with their server (a PostgreSQL
 * backend outlives a killed postmaster otherwise), and the bench counts their CPU with it, once a second.
 */

/** The pids whose parent is `pid`, from /proc (none where /proc is absent). */
export function childPids(pid: number): number[] {
  return childrenOfTasks(pid) ?? childrenByScan(pid);
}

/**
 * The kernel's own list: `/proc/<pid>/task/<tid>/children` names the children each thread started, a read per
 * thread instead of one per process on the machine. Undefined where the kernel does not keep it
 * (CONFIG_PROC_CHILDREN off) or the process is gone.
 */
function childrenOfTasks(pid: number): number[] | undefined {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .split(' ')
        .filter((p) => p.trim() !== '')
        .map(Number),
    );
  } catch {
    return undefined;
  }
}

/** Every process's parent pid, read from /proc/<n>/stat: the fallback (exported for its test). */
export function childrenByScan(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After "pid (comm) ": state is field 3, ppid field 4; comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return children;
}
