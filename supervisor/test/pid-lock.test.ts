import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, livePid, releaseLock } from '../pid-lock.ts';
import { cleanUp, makeStateDir } from './harness.ts';

const sleepers: ChildProcess[] = [];
const dirs: string[] = [];
function sleeper(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' });
  sleepers.push(child);
  return child;
}
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}
function lockPath(): string {
  const dir = makeStateDir();
  dirs.push(dir);
  return join(dir, 'socketio-supervisor.lock');
}

afterEach(() => {
  for (const s of sleepers.splice(0)) s.kill('SIGKILL');
  for (const d of dirs.splice(0)) cleanUp(d);
});

describe('single-instance lock and pid files', () => {
  it('is taken once: a live owner keeps it', () => {
    const path = lockPath();
    const owner = sleeper();
    expect(acquireLock(path, owner.pid)).toEqual({ acquired: true, staleRemoved: undefined });
    expect(acquireLock(path, process.pid)).toEqual({ acquired: false, ownerPid: owner.pid });
    expect(livePid(path)).toBe(owner.pid);
    releaseLock(path, process.pid); // not ours: left alone
    expect(readFileSync(path, 'utf8')).toBe(`${owner.pid}\n`);
    releaseLock(path, owner.pid);
    expect(acquireLock(path, process.pid).acquired).toBe(true);
  });

  it('cleans up a lock whose process is dead', async () => {
    const path = lockPath();
    const dead = await deadPid();
    writeFileSync(path, `${dead}\n`);
    expect(livePid(path)).toBeUndefined();
    expect(acquireLock(path, process.pid)).toEqual({ acquired: true, staleRemoved: dead });
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
  });

  it('cleans up a lock whose pid was reused by a program started after it was written', async () => {
    const path = lockPath();
    const other = sleeper();
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(path, `${other.pid}\n`);
    // The file says it was written an hour ago, before the process now at that pid started.
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(path, anHourAgo, anHourAgo);
    expect(livePid(path)).toBeUndefined();
    expect(acquireLock(path, process.pid)).toEqual({ acquired: true, staleRemoved: other.pid });
  });

  it('treats garbage in a lock file as stale', () => {
    const path = lockPath();
    writeFileSync(path, 'not a pid\n');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(path, anHourAgo, anHourAgo);
    expect(acquireLock(path, process.pid).acquired).toBe(true);
  });
});
