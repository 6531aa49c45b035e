import { renameSync, writeFileSync } from 'node:fs';

let sequence = 0;

/**
 * Writes a file so that a reader sees the old content or the new, never half of either: the
 * data goes to a temporary file beside it, which is then renamed over the target (rename is
 * atomic within a file system). Synchronous, so that writes from one process never interleave.
 */
export function writeFileAtomic(path: string, data: string, mode = 0o644): void {
  const tmp = `${path}.${process.pid}.${sequence++}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}
