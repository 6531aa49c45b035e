import pg from 'pg';
import type { SqlDriver } from './sql-driver.ts';

/** node-postgres pool. Timeouts keep a dead database from hanging a request (ACK-7). */
export async function openPostgresDriver(url: string, timeoutMs: number): Promise<SqlDriver> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  return {
    async query(sql, params, name) {
      const result = await (name ? pool.query({ name, text: sql, values: params }) : pool.query(sql, params));
      return result.rows as never;
    },
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A checked-out client whose connection drops between two queries emits 'error' with nobody
      // listening, an uncaught exception (OPS-4). Its next query fails and reports it; the client
      // is then discarded, not handed to the next caller.
      const onError = (err: Error) => (broken = err);
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const value = await fn({
          async query(sql, params, name) {
            const result = await (name ? client.query({ name, text: sql, values: params }) : client.query(sql, params));
            return result.rows as never;
          },
          async exec(sql) {
            await client.query(sql); // no parameters: the simple protocol runs several statements
          },
        });
        await client.query('COMMIT');
        return value;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
        throw err;
      } finally {
        // A connection that failed or could not even roll back is discarded.
        client.off('error', onError);
        client.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  };
}
