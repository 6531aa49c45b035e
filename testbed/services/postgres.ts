import { postgresAvailability, type PostgresOptions } from './availability.ts';
import type { PostgresService } from './service.ts';

/**
 * A private PostgreSQL database from the first source that works (DATABASE_URL, local initdb/postgres,
 * container). Rejects with ServiceUnavailableError, whose message says what to install, when there is none;
 * suites that would rather skip use postgresAvailability().
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresService> {
  return (await postgresAvailability({ quiet: true, ...options })).start();
}
