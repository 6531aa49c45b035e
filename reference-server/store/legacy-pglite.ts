import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { SQLITE_FILE } from './sqlite-store.ts';

/** Where the embedded store of earlier versions (PGlite, removed) kept its database inside DATA_DIR. */
const PGLITE_DIR = 'pglite';

const exists = (path: string) => access(path).then(() => true, () => false);

/**
 * Stops start-up on a DATA_DIR that holds only an embedded store of the PGlite era: this version
 * cannot read it, and starting on an empty store beside it would silently lose its history (OPS-1).
 * A DATA_DIR that already has the SQLite store (the operator moved on) starts as usual.
 */
export async function refuseLegacyPgliteStore(dataDir: string): Promise<void> {
  const legacy = join(dataDir, PGLITE_DIR);
  if (!(await exists(legacy)) || (await exists(join(dataDir, SQLITE_FILE)))) return;
  throw new Error(
    `DATA_DIR ${dataDir} holds a PGlite store (${legacy}) that this version cannot read: the embedded store is SQLite now. ` +
      `Keep serving that data with the sockproof version that wrote it, or move ${legacy} out of DATA_DIR to start with an empty store.`,
  );
}
