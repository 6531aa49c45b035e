import { readdirSync, readFileSync } from 'node:fs';

/**
 * A process's children, from Linux's /proc: the services' stop signals them with their server (a PostgreSQL
 * backend outlives a killed postmaster otherwise), and the bench counts their CPU with it.
 */

/** The pids whose parent is `pid`, from /proc (none where /proc is absent). */
export function childPids(pid: number): number[] {
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
