import type { ServerConfig } from '../config.ts';
import { refuseLegacyPgliteStore } from './legacy-pglite.ts';
import { SqlStore } from './sql-store.ts';
import { createSqliteStore, MAX_BUSY_WAIT_MS, openSqliteDatabase } from './sqlite-store.ts';
import type { Store } from './types.ts';

/** Batches a PostgreSQL pool commits at once (the embedded store's one connection commits one at a time). */
const POSTGRES_BATCHES_IN_FLIGHT = 4;

/** The store the configuration asks for: PostgreSQL with DATABASE_URL, else embedded SQLite in DATA_DIR. */
export async function openStore(config: ServerConfig): Promise<Store> {
  if (config.databaseUrl) {
    const { openPostgresDriver } = await import('./postgres-driver.ts');
    return new SqlStore('postgres', await openPostgresDriver(config.databaseUrl, config.dependencyTimeoutMs), config.storeBatch, POSTGRES_BATCHES_IN_FLIGHT);
  }
  await refuseLegacyPgliteStore(config.dataDir);
  return createSqliteStore(openSqliteDatabase(config.dataDir, Math.min(MAX_BUSY_WAIT_MS, config.dependencyTimeoutMs)), config.storeBatch);
}
