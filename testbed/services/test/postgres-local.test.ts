import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresAvailability } from '../availability.ts';
import { isProcessAlive } from '../exit-cleanup.ts';
import type { PostgresService } from '../service.ts';
import { expectCleanStop, keepLeases } from './support.ts';

// Local servers only: these tests kill and restart, and check pids and data dirs.
const postgres = await postgresAvailability({ sources: ['local'], needsControl: true });

async function query(service: PostgresService, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: service.url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    return await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

describe.skipIf(postgres.skip)('local PostgreSQL', () => {
  const keep = keepLeases<PostgresService>();
  const start = async () => keep(await postgres.start());

  it('starts on a free loopback port and stop() leaves no process, port or files behind', async () => {
    const service = await start();
    expect(service).toMatchObject({ source: 'local', host: '127.0.0.1', user: 'postgres', database: 'postgres', controllable: true });
    expect((await query(service, 'SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await expectCleanStop(service); // the postmaster's cwd is its data dir
  });

  it('two concurrent leases do not share data', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a!.port).not.toBe(b!.port);
    await query(a!, 'CREATE TABLE only_in_a (id int)');
    const tables = await query(b!, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'only_in_a'");
    expect(tables.rows[0].n).toBe(0);
  });

  it('restart() keeps port and data; after kill -9 committed rows survive crash recovery', async () => {
    const service = await start();
    const { port } = service;
    await query(service, "CREATE TABLE messages (body text); INSERT INTO messages VALUES ('before restart')");
    await service.restart();
    expect(service.port).toBe(port);

    await query(service, "INSERT INTO messages VALUES ('before kill')");
    const pid = service.pid!;
    await service.kill('SIGKILL');
    expect(isProcessAlive(pid)).toBe(false);
    await expect(query(service, 'SELECT 1')).rejects.toThrow();
    await service.restart();
    expect(service.port).toBe(port);
    const rows = await query(service, 'SELECT body FROM messages ORDER BY body');
    expect(rows.rows.map((r) => r.body)).toEqual(['before kill', 'before restart']);
  });
});
