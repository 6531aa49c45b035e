import { redactUrlsIn } from '../../spec/redact.ts';
import type { SqlDriver, SqlExecutor } from './sql-driver.ts';

/**
 * Who a failed store call is to blame on (BRK-6): the caller's input, or the store itself.
 * Only a store failure says anything about the store's health, so only it may count for the
 * store's circuit breaker; an input failure is the client's mistake and is answered VALIDATION.
 */
export type StoreFailureCause = 'input' | 'dependency';

/**
 * A value the store refuses before it reaches the database: a string PostgreSQL's text cannot
 * hold (NUL) or UTF-8 cannot encode (a lone surrogate, on which PGlite fails without a SQLSTATE).
 */
export class StoreInputError extends Error {
  override name = 'StoreInputError';
}

/**
 * SQLSTATE classes caused by the data a statement was given: 22 data exception (invalid byte
 * sequence 22021, untranslatable character 22P05, invalid text representation 22P02, value too
 * long 22001, ...) and 23 integrity constraint violation. Every other class (08 connection,
 * 53 resources, 57 operator intervention, 58 system, XX internal, ...) and every error without a
 * SQLSTATE (sockets, timeouts, a closed pool) is the store's.
 */
const INPUT_SQLSTATE = /^2[23][0-9A-Z]{3}$/;

/** Pure: classifies anything a store call threw (PGlite and node-postgres alike carry `code`). */
export function classifyStoreError(err: unknown): StoreFailureCause {
  if (err instanceof StoreInputError) return 'input';
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && INPUT_SQLSTATE.test(code) ? 'input' : 'dependency';
}

/** Throws StoreInputError unless every string in the value (arrays and objects walked) can be stored. */
export function assertStorable(value: unknown, path = 'value'): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000') || !value.isWellFormed()) throw new StoreInputError(`${path}: a string the store cannot hold (NUL or lone surrogate)`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => assertStorable(v, `${path}[${i}]`));
  } else if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value)) assertStorable(v, `${path}.${k}`);
  }
}

/**
 * The driver with every statement's parameters checked first (assertStorable): a value the
 * database cannot hold fails as StoreInputError, the same everywhere, instead of as whatever the
 * driver makes of it (PGlite fails on a lone surrogate with a TypeError, node-postgres silently
 * stores U+FFFD).
 */
export function refusingUnstorable(driver: SqlDriver): SqlDriver {
  const checked = <E extends Pick<SqlExecutor, 'query'>>(db: E): E['query'] =>
    ((sql: string, params?: unknown[]) => {
      assertStorable(params ?? [], 'parameters');
      return db.query(sql, params);
    }) as E['query'];
  return {
    query: checked(driver),
    transaction: (fn) => driver.transaction((tx) => fn({ query: checked(tx), exec: (sql) => tx.exec(sql) })),
    close: () => driver.close(),
  };
}

/** What a log line says about a store error: its class, SQLSTATE and message, with any URL's password removed. */
export function describeStoreError(err: unknown): { cause: StoreFailureCause; name: string; code?: string; message: string } {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (err as { code?: unknown } | null)?.code;
  return {
    cause: classifyStoreError(err),
    name: e.name,
    ...(typeof code === 'string' ? { code } : {}),
    message: redactUrlsIn(e.message).slice(0, 300),
  };
}
