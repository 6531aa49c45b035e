import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { redactUrl } from '../../spec/redact.ts';
import { ServiceNotControllableError, type PostgresService } from './service.ts';

/**
 * A lease on a PostgreSQL the caller gave by URL (DATABASE_URL). That server is shared, so each lease
 * creates its own database, sockproof_<random>, and stop() drops it (WITH FORCE, so sessions a test leaked
 * do not keep it alive). The URL's user needs the CREATEDB privilege.
 */
export async function leasePostgresFromUrl(adminUrl: string): Promise<PostgresService> {
  const parsed = parsePostgresUrl(adminUrl);
  const database = `sockproof_${randomBytes(6).toString('hex')}`;
  await asAdmin(adminUrl, `CREATE DATABASE "${database}"`, 'could not create a test database');

  const leaseUrl = new URL(parsed);
  leaseUrl.pathname = `/${database}`;
  let stopped = false;
  const notOurs = () => new ServiceNotControllableError('this PostgreSQL came from DATABASE_URL, so the harness cannot kill or restart it (ask for needsControl: true)');
  return {
    source: 'url',
    url: leaseUrl.toString(),
    host: parsed.hostname || 'localhost',
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username) || process.env.PGUSER || '',
    database,
    controllable: false,
    pid: undefined,
    async stop() {
      if (stopped) return;
      stopped = true;
      await asAdmin(adminUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`, `could not drop test database ${database}`);
    },
    kill: () => Promise.reject(notOurs()),
    restart: () => Promise.reject(notOurs()),
  };
}

function parsePostgresUrl(url: string): URL {
  if (URL.canParse(url)) {
    const parsed = new URL(url);
    if (parsed.protocol === 'postgres:' || parsed.protocol === 'postgresql:') return parsed;
  }
  throw new Error(`DATABASE_URL must be a postgres:// or postgresql:// URL, got "${redactUrl(url)}"`);
}

async function asAdmin(adminUrl: string, sql: string, what: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query(sql);
  } catch (error) {
    throw new Error(`DATABASE_URL ${redactUrl(adminUrl)}: ${what}: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}
