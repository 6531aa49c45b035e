/** The little the SQL store needs from a PostgreSQL driver (node-postgres). */
export interface SqlDriver {
  /**
   * One statement, its own transaction. `name` makes it a prepared statement on each connection
   * (parsed and planned once there): for a statement the hot path runs with the same text every time.
   */
  query<R extends Record<string, unknown>>(sql: string, params?: unknown[], name?: string): Promise<R[]>;
  /** Runs fn in one transaction on one connection; rolls back if it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface SqlExecutor {
  query<R extends Record<string, unknown>>(sql: string, params?: unknown[], name?: string): Promise<R[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}
