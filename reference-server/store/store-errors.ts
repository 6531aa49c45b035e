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
 * hold (NUL) or UTF-8 cannot encode (a lone surrogate, which node-postgres and better-sqlite3
 * would silently store as U+FFFD).
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

/**
 * SQLite's result codes for the same two causes (better-sqlite3 puts the extended code in `code`):
 * a constraint (SQLITE_CONSTRAINT_UNIQUE, _NOTNULL, _CHECK, _FOREIGNKEY, _DATATYPE of a STRICT
 * table, ...), a datatype mismatch, a value over SQLite's size limit. Every other code (SQLITE_BUSY,
 * _IOERR, _FULL, _CORRUPT, _READONLY, ...) and every error without one (a closed database) is the store's.
 */
const INPUT_SQLITE_CODE = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG)(_[A-Z]+)?$/;

/** Pure: classifies anything a store call threw (node-postgres and better-sqlite3 alike carry `code`). */
export function classifyStoreError(err: unknown): StoreFailureCause {
  if (err instanceof StoreInputError) return 'input';
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && (INPUT_SQLSTATE.test(code) || INPUT_SQLITE_CODE.test(code)) ? 'input' : 'dependency';
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
 * driver makes of it (node-postgres silently stores U+FFFD for a lone surrogate).
 */
export function refusingUnstorable(driver: SqlDriver): SqlDriver {
  const checked = <E extends Pick<SqlExecutor, 'query'>>(db: E): E['query'] =>
    ((sql: string, params?: unknown[], name?: string) => {
      assertStorable(params ?? [], 'parameters');
      return db.query(sql, params, name);
    }) as E['query'];
  return {
    query: checked(driver),
    transaction: (fn) => driver.transaction((tx) => fn({ query: checked(tx), exec: (sql) => tx.exec(sql) })),
    close: () => driver.close(),
  };
}

/**
 * The store with every call's arguments checked first (assertStorable), for a store that talks to
 * its database without a SqlDriver (the embedded SQLite store): the same refusals as
 * refusingUnstorable, so both stores answer one input alike. A NUL inside an attachment is refused
 * here too, where PostgreSQL's jsonb refuses it itself (22P05).
 */
export function refusingUnstorableArguments<S extends object>(store: S): S {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          assertStorable(args, `${String(prop)} arguments`);
        } catch (err) {
          return Promise.reject(err);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
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
