import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** Size of the server log now: where the output of the next server process will start. */
export function logSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The last `maxLines` non-empty lines written to `path` since byte `fromOffset` (reads at most 16 KiB). */
export function tailSince(path: string, fromOffset: number, maxLines = 10): string[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return [];
  }
  try {
    const end = statSync(path).size;
    const start = Math.max(fromOffset, end - 16_384);
    if (end <= start) return [];
    const buf = Buffer.alloc(end - start);
    readSync(fd, buf, 0, buf.length, start);
    const lines = buf.toString('utf8').split('\n').map((l) => l.trimEnd()).filter(Boolean);
    return lines.slice(-maxLines).map((l) => (l.length > 500 ? `${l.slice(0, 500)}…` : l));
  } finally {
    closeSync(fd);
  }
}
