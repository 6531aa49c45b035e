import type { ServerConfig } from '../config.ts';
import { openPgliteDriver } from './pglite-driver.ts';
import { SqlStore } from './sql-store.ts';
import type { Store } from './types.ts';

/** Batches a PostgreSQL pool commits at once (PGlite runs one transaction at a time). */
const POSTGRES_BATCHES_IN_FLIGHT = 4;

/** The store the configuration asks for: PostgreSQL with DATABASE_URL, else embedded PGlite. */
export async function openStore(config: ServerConfig): Promise<Store> {
  if (config.databaseUrl) {
    const { openPostgresDriver } = await import('./postgres-driver.ts');
    return new SqlStore('postgres', await openPostgresDriver(config.databaseUrl, config.dependencyTimeoutMs), config.storeBatch, POSTGRES_BATCHES_IN_FLIGHT);
  }
  return new SqlStore('pglite', await openPgliteDriver(config.dataDir), config.storeBatch, 1);
}
