import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { SqlDriver } from './sql-driver.ts';

/**
 * Embedded PostgreSQL (PGlite) on files in DATA_DIR. Every statement is committed to the files
 * before its promise resolves, so an acked write survives a SIGKILL of the process (DUR-3).
 */
export async function openPgliteDriver(dataDir: string): Promise<SqlDriver> {
  const dir = join(dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const db = await PGlite.create(dir);
  return {
    async query(sql, params) {
      const result = await db.query<Record<string, unknown>>(sql, params);
      return result.rows as never;
    },
    async transaction(fn) {
      return db.transaction((tx) =>
        fn({
          async query(sql, params) {
            const result = await tx.query<Record<string, unknown>>(sql, params);
            return result.rows as never;
          },
          async exec(sql) {
            await tx.exec(sql);
          },
        }),
      );
    },
    async close() {
      await db.close();
    },
  };
}
