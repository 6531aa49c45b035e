import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BREAKER_POLICY, isPlainString } from '../../spec/index.ts';
import { AppError } from '../errors.ts';
import { Breakers } from '../resilience/breakers.ts';
import { guardStore } from '../resilience/guarded-store.ts';
import Database from 'better-sqlite3';
import { createSqliteStore, openSqliteDatabase } from '../store/sqlite-store.ts';
import { assertStorable, classifyStoreError, describeStoreError, StoreInputError } from '../store/store-errors.ts';
import type { Store } from '../store/types.ts';

const sqlstate = (cls: string) => fc.tuple(fc.constant(cls), fc.stringMatching(/^[0-9A-Z]{3}$/)).map(([c, rest]) => c + rest);
const withCode = (code: string) => Object.assign(new Error('db said no'), { code });

describe('classifyStoreError (BRK-6)', () => {
  it('blames the input for SQLSTATE classes 22 and 23, and for StoreInputError', () => {
    fc.assert(fc.property(fc.oneof(sqlstate('22'), sqlstate('23')), (code) => classifyStoreError(withCode(code)) === 'input'));
    expect(classifyStoreError(new StoreInputError('NUL'))).toBe('input');
  });

  it('blames the store for every other SQLSTATE class, for socket errors, timeouts and anything without a code', () => {
    const otherClass = fc.stringMatching(/^[0-9A-Z]{2}$/).filter((c) => c !== '22' && c !== '23');
    fc.assert(fc.property(fc.tuple(otherClass, fc.stringMatching(/^[0-9A-Z]{3}$/)), ([c, rest]) => classifyStoreError(withCode(c + rest)) === 'dependency'));
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '08006', '57P01', '53300', 'XX000', 22021, '2202', '220211']) {
      expect(classifyStoreError(withCode(code as string)), String(code)).toBe('dependency');
    }
    fc.assert(fc.property(fc.anything(), (thrown) => {
      const code = typeof thrown === 'object' && thrown !== null ? String((thrown as { code?: unknown }).code) : '';
      const hasInputCode = /^2[23][0-9A-Z]{3}$/.test(code) || /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG)/.test(code);
      return hasInputCode || classifyStoreError(thrown) === 'dependency';
    }));
  });

  it('blames the input for SQLite constraint, datatype and size errors, the store for every other SQLite code', () => {
    for (const code of ['SQLITE_CONSTRAINT', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_NOTNULL', 'SQLITE_CONSTRAINT_CHECK', 'SQLITE_CONSTRAINT_FOREIGNKEY', 'SQLITE_CONSTRAINT_DATATYPE', 'SQLITE_MISMATCH', 'SQLITE_TOOBIG']) {
      expect(classifyStoreError(withCode(code)), code).toBe('input');
    }
    for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_IOERR_FSYNC', 'SQLITE_FULL', 'SQLITE_CORRUPT', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_NOMEM', 'SQLITE_ERROR', 'SQLITE_CONSTRAINTS', 'XSQLITE_CONSTRAINT']) {
      expect(classifyStoreError(withCode(code)), code).toBe('dependency');
    }
  });

  it('classifies what real SQLite throws: a constraint or a STRICT column type is the input, a held lock the store', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT');
    db.prepare('INSERT INTO t VALUES (?, ?)').run('a', 1);
    const thrown = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return err;
      }
      throw new Error('did not throw');
    };
    expect(classifyStoreError(thrown(() => db.prepare('INSERT INTO t VALUES (?, ?)').run('a', 2)))).toBe('input');
    expect(classifyStoreError(thrown(() => db.prepare('INSERT INTO t VALUES (?, ?)').run('b', 'text')))).toBe('input');
    expect(classifyStoreError(thrown(() => db.prepare('INSERT INTO t VALUES (?, ?)').run('c', null)))).toBe('input');
    db.close();
    expect(classifyStoreError(thrown(() => db.prepare('SELECT 1')))).toBe('dependency');
  });

  it('describes an error for a log line without a URL password', () => {
    const d = describeStoreError(withCode('08006'));
    expect(d).toMatchObject({ cause: 'dependency', code: '08006', message: 'db said no' });
    const leaky = describeStoreError(new Error('connect to postgres://chat:S3cr3tP4ss@db.internal:5432/chat failed'));
    expect(leaky.message).not.toContain('S3cr3tP4ss');
  });
});

describe('assertStorable', () => {
  it('accepts exactly the strings a database can hold, however deep', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        let refused = false;
        try {
          assertStorable({ a: [{ b: s }] });
        } catch (err) {
          refused = err instanceof StoreInputError;
        }
        return refused === (s.includes('\u0000') || !s.isWellFormed());
      }),
    );
  });

  it('agrees with the edge: every plain string (TEXT-6) is storable', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }).filter(isPlainString), (s) => (assertStorable([s]), true)));
  });
});

describe('a real embedded (SQLite) store behind its breaker (BRK-6)', () => {
  let dir: string;
  let raw: Store;
  let store: Store;
  let trips = 0;
  let breakers: Breakers;
  const policy = { ...DEFAULT_BREAKER_POLICY, failureThreshold: 3 };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'store-errors-'));
    raw = createSqliteStore(openSqliteDatabase(dir));
    await raw.migrate();
    await raw.upsertChannel('room', false, []);
    breakers = new Breakers(policy, 5_000, () => trips++);
    store = guardStore(raw, breakers.create('store', (err) => classifyStoreError(err) === 'input'));
  }, 60_000);
  afterAll(async () => {
    await raw?.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  const attachment = (url: string) => ({ url, name: 'f', nameHtml: 'f', size: 1, mimeType: 'application/pdf' as const });
  const invalidCalls: Record<string, () => Promise<unknown>> = {
    'NUL in an attachment url (refused before SQLite, as PostgreSQL\'s jsonb refuses it, 22P05)': () =>
      store.insertMessage({ channelId: 'room', authorId: 'a', authorName: 'a', text: 't', clientMsgId: 'k1', attachments: [attachment('https://example.com/\u0000')] }),
    'a lone surrogate in an attachment url (SQLite would store U+FFFD)': () =>
      store.insertMessage({ channelId: 'room', authorId: 'a', authorName: 'a', text: 't', clientMsgId: 'k2', attachments: [attachment('https://example.com/\ud800')] }),
    'NUL in a ban user id': () => store.putBan({ userId: 'z\u0000z', reason: 'r', by: 'm', until: null }),
    'a lone surrogate in a ban user id': () => store.putBan({ userId: 'z\ud800z', reason: 'r', by: 'm', until: null }),
    'NUL in a channel member': () => store.upsertChannel('other', false, ['a\u0000b']),
    'NUL in a ban look-up': () => store.activeBan('z\u0000z', new Date()),
  };

  it('answers invalid input VALIDATION, ten times over, and never counts it', async () => {
    for (const [what, call] of Object.entries(invalidCalls)) {
      for (let i = 0; i < 10; i++) {
        const err = await call().then(() => undefined, (e: unknown) => e);
        expect(err, what).toBeInstanceOf(AppError);
        expect((err as AppError).code, what).toBe('VALIDATION');
      }
    }
    const status = breakers.statuses().store!;
    expect(status).toMatchObject({ state: 'closed', failures: 0, trips: 0 });
    expect(trips).toBe(0);
    const ok = await store.insertMessage({ channelId: 'room', authorId: 'a', authorName: 'a', text: 'fine', clientMsgId: 'k-ok', attachments: [attachment('https://example.com/f')] });
    expect(ok.created).toBe(true);
  });

  it('still counts a real store failure: a closed database opens the breaker', async () => {
    await raw.close();
    for (let i = 0; i < policy.failureThreshold; i++) {
      const err = await store.getChannel('room').then(() => undefined, (e: unknown) => e);
      expect((err as AppError).code).toBe('UNAVAILABLE');
    }
    expect(breakers.statuses().store!.state).toBe('open');
    expect(trips).toBe(1);
  });
});
