import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { childPids, childrenByScan } from '../process-tree.ts';

describe('childPids (testbed/process-tree.ts)', () => {
  it.skipIf(process.platform !== 'linux')('finds the processes a process started, by the kernel\'s list and by the /proc scan alike, and none once they ended', async () => {
    const kids = [spawn('sleep', ['30']), spawn('sleep', ['30'])];
    try {
      await Promise.all(kids.map((k) => once(k, 'spawn')));
      const pids = kids.map((k) => k.pid!);
      expect(childPids(process.pid)).toEqual(expect.arrayContaining(pids));
      expect(childrenByScan(process.pid)).toEqual(expect.arrayContaining(pids));
      expect(childPids(pids[0]!)).toEqual([]);
    } finally {
      for (const k of kids) k.kill('SIGKILL');
    }
    await Promise.all(kids.map((k) => (k.exitCode === null && k.signalCode === null ? once(k, 'exit') : undefined)));
    const pids = kids.map((k) => k.pid!);
    expect(childPids(process.pid).filter((p) => pids.includes(p))).toEqual([]);
  });
});
