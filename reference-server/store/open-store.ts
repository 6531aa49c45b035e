import type { ServerConfig } from '../config.ts';
import { openPgliteDriver } from './pglite-driver.ts';
import { SqlStore } from './sql-store.ts';
import type { Store } from './types.ts';

/** The store the configuration asks for: PostgreSQL with DATABASE_URL, else embedded PGlite. */
export async function openStore(config: ServerConfig): Promise<Store> {
  if (config.databaseUrl) {
    const { openPostgresDriver } = await import('./postgres-driver.ts');
    return new SqlStore('postgres', await openPostgresDriver(config.databaseUrl, config.dependencyTimeoutMs));
  }
  return new SqlStore('pglite', await openPgliteDriver(config.dataDir));
}
