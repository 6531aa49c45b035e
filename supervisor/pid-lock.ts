import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file.ts';
import { isSameProcess } from './proc-identity.ts';

/** A pid file's content and when it was written, or undefined when it is missing or not a pid. */
export function readPidFile(path: string): { pid: number; writtenAtMs: number } | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    if (!/^\d+$/.test(text)) return undefined;
    return { pid: Number(text), writtenAtMs: statSync(path).mtimeMs };
  } catch {
    return undefined;
  }
}

/** The pid a pid file names if that very process still runs; undefined for a missing or stale file. */
export function livePid(path: string): number | undefined {
  const entry = readPidFile(path);
  return entry && entry.pid > 0 && isSameProcess(entry.pid, entry.writtenAtMs) ? entry.pid : undefined;
}

/** Pid files hold the pid alone, so `kill $(cat file)` and systemd's PIDFile= read them. */
export function writePidFile(path: string, pid: number): void {
  writeFileAtomic(path, `${pid}\n`);
}

export function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Removes a pid file only if it still names `pid` (another process may have taken over). */
export function removePidFileIfOwned(path: string, pid: number): void {
  if (readPidFile(path)?.pid === pid) removeFile(path);
}

export type LockResult = { acquired: true; staleRemoved: number | undefined } | { acquired: false; ownerPid: number };

/**
 * Takes the single-instance lock: a file created exclusively (O_EXCL), holding the owner's
 * pid. A lock whose owner is dead, or whose pid now belongs to a process started after the
 * lock was written (pid reuse), is stale and is removed, once, before trying again.
 */
export function acquireLock(path: string, pid: number = process.pid): LockResult {
  let staleRemoved: number | undefined;
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      try {
        writeSync(fd, `${pid}\n`);
      } finally {
        closeSync(fd);
      }
      return { acquired: true, staleRemoved };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readPidFile(path);
    // An empty lock younger than a moment is one a rival has created but not written yet.
    if (!owner && isFresh(path)) return { acquired: false, ownerPid: -1 };
    if (owner && owner.pid !== pid && isSameProcess(owner.pid, owner.writtenAtMs)) return { acquired: false, ownerPid: owner.pid };
    // Dead owner, reused pid, our own leftover or an unreadable file: stale.
    staleRemoved = owner?.pid ?? -1;
    removeFile(path);
  }
  const owner = readPidFile(path);
  return { acquired: false, ownerPid: owner?.pid ?? -1 };
}

function isFresh(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs < 2000;
  } catch {
    return false;
  }
}

export function releaseLock(path: string, pid: number = process.pid): void {
  removePidFileIfOwned(path, pid);
}
