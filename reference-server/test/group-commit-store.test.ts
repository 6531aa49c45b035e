// Group commit on the real stores (DUR-1, MSG-4, BRK-6): the embedded SQLite store always, PostgreSQL
// from testbed/services when one can be started. Sends are issued together so that they share batches.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BREAKER_POLICY, type Message } from '../../spec/index.ts';
import { connectToxiproxy } from '../../testbed/fault-proxy/connect.ts';
import { postgresAvailability, type PostgresService } from '../../testbed/services/index.ts';
import { AppError } from '../errors.ts';
import { Breakers } from '../resilience/breakers.ts';
import { guardStore } from '../resilience/guarded-store.ts';
import { openPostgresDriver } from '../store/postgres-driver.ts';
import type { SqlDriver } from '../store/sql-driver.ts';
import { SqlStore } from '../store/sql-store.ts';
import { createSqliteStore, openSqliteDatabase } from '../store/sqlite-store.ts';
import { classifyStoreError } from '../store/store-errors.ts';
import type Database from 'better-sqlite3';
import type { NewMessage, Store } from '../store/types.ts';
import { throughProxy } from './cluster/support.ts';

const postgres = await postgresAvailability({ needsControl: true });

/**
 * The real driver, with its commits counted: how the test sees that sends shared a commit. A
 * transaction is one commit, and so is a statement outside one that writes messages (a batch in one
 * statement is its own transaction).
 */
function countingTransactions(driver: SqlDriver): SqlDriver & { transactions: number } {
  const counted = {
    transactions: 0,
    query: ((sql: string, params?: unknown[], name?: string) => {
      if (/INSERT INTO messages/.test(sql)) counted.transactions++;
      return driver.query(sql, params, name);
    }) as SqlDriver['query'],
    close: () => driver.close(),
    transaction: <T>(fn: Parameters<SqlDriver['transaction']>[0]) => {
      counted.transactions++;
      return driver.transaction(fn) as Promise<T>;
    },
  };
  return counted as SqlDriver & { transactions: number };
}

/**
 * The real SQLite database, with the transactions the store's transaction functions run counted
 * (better-sqlite3's db.transaction wraps a function that runs BEGIN ... COMMIT around it).
 */
function countingSqliteTransactions(db: Database.Database): { db: Database.Database; transactions: number } {
  const counter = { db, transactions: 0 };
  const original = db.transaction.bind(db);
  counter.db = new Proxy(db, {
    get(target, prop) {
      if (prop !== 'transaction') {
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (fn: (...args: never[]) => unknown) => {
        const tx = original(fn);
        const count = (run: (...args: never[]) => unknown) => (...args: never[]) => (counter.transactions++, run(...args));
        return Object.assign(count(tx), { deferred: count(tx.deferred), immediate: count(tx.immediate), exclusive: count(tx.exclusive) });
      };
    },
  }) as Database.Database;
  return counter;
}

const send = (channelId: string, authorId: string, clientMsgId: string, text = `text of ${clientMsgId}`): NewMessage => ({
  channelId,
  authorId,
  authorName: authorId,
  text,
  clientMsgId,
  attachments: [],
});

async function fullHistory(store: Store, channelId: string): Promise<Message[]> {
  return store.history(channelId, undefined, 10_000);
}

function expectGapFree(history: Message[]): void {
  expect(history.map((m) => m.seq)).toEqual(history.map((_, i) => i + 1));
}

interface StoreKind {
  name: string;
  /** Batches committing at once: with one, sends that arrive together keep their arrival order in seq. */
  inFlight: number;
  skip?: string;
  open(): Promise<{ store: Store; driver: { transactions: number } }>;
  dispose(): Promise<void>;
}

function sqliteKind(): StoreKind {
  let dir: string | undefined;
  return {
    name: 'embedded SQLite',
    inFlight: 1,
    async open() {
      dir = await mkdtemp(join(tmpdir(), 'group-commit-'));
      const driver = countingSqliteTransactions(openSqliteDatabase(dir));
      const store = createSqliteStore(driver.db, { maxBatch: 64, maxWaitMs: 2 });
      await store.migrate();
      return { store, driver };
    },
    async dispose() {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

function postgresKind(): StoreKind {
  let lease: PostgresService | undefined;
  return {
    name: 'PostgreSQL',
    inFlight: 4,
    skip: postgres.skip,
    async open() {
      lease ??= await postgres.start();
      const driver = countingTransactions(await openPostgresDriver(lease.url, 2_000));
      const store = new SqlStore('postgres', driver, { maxBatch: 64, maxWaitMs: 2 }, this.inFlight);
      await store.migrate();
      return { store, driver };
    },
    async dispose() {
      await lease?.stop();
    },
  };
}

for (const kind of [sqliteKind(), postgresKind()]) {
  describe.skipIf(kind.skip)(`group commit on ${kind.name}`, () => {
    let store: Store;
    let driver: { transactions: number };
    beforeAll(async () => {
      ({ store, driver } = await kind.open());
      for (const id of ['gc-a', 'gc-b', 'gc-c', 'gc-dup', 'gc-retry', 'gc-bad']) await store.upsertChannel(id, false, []);
    }, 60_000);
    afterAll(async () => {
      await store?.close().catch(() => {});
      await kind.dispose();
    });

    it('commits a burst of sends in a few transactions, acks each with its stored row, seq gap-free per channel', async () => {
      const before = driver.transactions;
      const channels = ['gc-a', 'gc-b', 'gc-c'];
      const drafts = Array.from({ length: 150 }, (_, i) => send(channels[i % 3]!, `user-${i % 10}`, `burst-${i}`));
      const answers = await Promise.all(drafts.map((d) => store.insertMessage(d)));
      const transactions = driver.transactions - before;
      expect(transactions).toBeLessThan(drafts.length / 10);
      expect(answers.every((a) => a.created)).toBe(true);
      for (const channelId of channels) {
        const history = await fullHistory(store, channelId);
        expectGapFree(history);
        const acked = answers.map((a) => a.message).filter((m) => m.channelId === channelId);
        expect(history).toEqual(acked.sort((x, y) => x.seq - y.seq));
        // With one commit at a time, sends that arrived together keep their arrival order in seq;
        // concurrent batches (a pool) are ordered by the channel's row lock, as concurrent sends always were.
        const arrived = drafts.filter((d) => d.channelId === channelId).map((d) => d.clientMsgId);
        const inHistory = history.map((m) => m.clientMsgId);
        expect(kind.inFlight === 1 ? inHistory : inHistory.sort()).toEqual(kind.inFlight === 1 ? arrived : arrived.sort());
      }
      console.log(`${kind.name}: 150 concurrent sends committed in ${transactions} transactions`);
    });

    it('stores a key sent twice in one batch once, and answers both copies with that message (MSG-4)', async () => {
      const before = driver.transactions;
      // Both stores take a batch at the end of the event-loop turn (GroupCommit's gatherTurn): the
      // primer and the five sends of its turn share one transaction.
      const primer = store.insertMessage(send('gc-dup', 'zed', 'primer'));
      const drafts = [send('gc-dup', 'ann', 'k1'), send('gc-dup', 'ann', 'k1'), send('gc-dup', 'bob', 'k1'), send('gc-dup', 'ann', 'k2'), send('gc-dup', 'ann', 'k1')];
      const answers = await Promise.all(drafts.map((d) => store.insertMessage(d)));
      await primer;
      expect(driver.transactions - before).toBe(1);
      expect(answers[1]!.message).toEqual(answers[0]!.message);
      expect(answers[4]!.message).toEqual(answers[0]!.message);
      // Only the first copy created the message (and is broadcast); the others are answered as retries.
      expect(answers.map((a) => a.created)).toEqual([true, false, true, true, false]);
      expect(answers[2]!.message.id).not.toBe(answers[0]!.message.id); // another author's key is another send
      const history = await fullHistory(store, 'gc-dup');
      expect(history.map((m) => `${m.authorId}/${m.clientMsgId}`).sort()).toEqual(['ann/k1', 'ann/k2', 'bob/k1', 'zed/primer']);
      expectGapFree(history);
    });

    it('answers a retry of a stored key inside a batch of new sends with the stored message, and seq goes on gap-free', async () => {
      const first = await store.insertMessage(send('gc-retry', 'cy', 'r1'));
      const answers = await Promise.all([send('gc-retry', 'cy', 'r2'), send('gc-retry', 'cy', 'r1', 'a different text'), send('gc-retry', 'cy', 'r3')].map((d) => store.insertMessage(d)));
      expect(answers[1]).toEqual({ message: first.message, created: false });
      const history = await fullHistory(store, 'gc-retry');
      expect(history.map((m) => m.clientMsgId).sort()).toEqual(['r1', 'r2', 'r3']);
      expectGapFree(history);
    });

    it('refuses an unstorable send alone: the others of its batch are stored, and the breaker counts nothing (BRK-6)', async () => {
      const breakers = new Breakers({ ...DEFAULT_BREAKER_POLICY, failureThreshold: 1 }, 5_000, () => {});
      const guarded = guardStore(store, breakers.create('store', (err) => classifyStoreError(err) === 'input'));
      // The last one only the database refuses (NUL escaped in the attachments' JSON, SQLSTATE 22P05): its batch is retried send by send.
      const nulInJson = { ...send('gc-bad', 'eve', 'bad-3'), attachments: [{ url: 'https://example.com/\u0000', name: 'f', nameHtml: 'f', size: 1, mimeType: 'application/pdf' as const }] };
      const primer = guarded.insertMessage(send('gc-bad', 'dan', 'ok-0'));
      const drafts = [send('gc-bad', 'dan', 'ok-1'), send('gc-bad', 'eve', 'bad', 'NUL \u0000 here'), send('gc-bad', 'dan', 'ok-2'), send('gc-bad', 'eve', 'bad-2', 'lone \ud800'), nulInJson, send('gc-bad', 'dan', 'ok-3')];
      const outcomes = await Promise.allSettled(drafts.map((d) => guarded.insertMessage(d)));
      await primer;
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
      for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as AppError).code).toBe('VALIDATION');
      expect(breakers.statuses().store).toMatchObject({ state: 'closed', failures: 0 });
      const history = await fullHistory(store, 'gc-bad');
      expect(history.map((m) => m.clientMsgId).sort()).toEqual(['ok-0', 'ok-1', 'ok-2', 'ok-3']);
      expectGapFree(history);
      await breakers.shutdown();
    });
  });
}

describe('group commit on embedded SQLite: a database another process holds locked', () => {
  let dir: string;
  let store: Store;
  let foreign: Database.Database;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'group-commit-locked-'));
    store = createSqliteStore(openSqliteDatabase(dir), { maxBatch: 64, maxWaitMs: 2 });
    await store.migrate();
    await store.upsertChannel('locked', false, []);
    // A second connection, as another process on the same DATA_DIR would be.
    foreign = openSqliteDatabase(dir);
  });
  afterAll(async () => {
    foreign?.close();
    await store?.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  it('answers each send of the failed batches UNAVAILABLE, stores none, opens the breaker; the retries land exactly once', async () => {
    const breakers = new Breakers({ ...DEFAULT_BREAKER_POLICY, failureThreshold: 3, resetTimeoutMs: 300 }, 2_000, () => {});
    const guarded = guardStore(store, breakers.create('store', (err) => classifyStoreError(err) === 'input'));
    await guarded.insertMessage(send('locked', 'hal', 'before'));
    foreign.exec('BEGIN IMMEDIATE');
    const drafts = Array.from({ length: 12 }, (_, i) => send('locked', 'hal', `locked-${i}`));
    const outcomes = await Promise.allSettled(drafts.map((d) => guarded.insertMessage(d)));
    for (const o of outcomes) {
      expect(o.status).toBe('rejected');
      const err = (o as PromiseRejectedResult).reason as AppError;
      expect(err.code).toBe('UNAVAILABLE');
      expect(err.retryAfterMs).toBeGreaterThan(0);
      expect(classifyStoreError(err.cause)).toBe('dependency');
    }
    expect(breakers.statuses().store!.state).toBe('open');
    foreign.exec('ROLLBACK');

    // The client did not know whether the sends landed: it retries them all with their keys (DUR-2).
    for (let attempt = 0; ; attempt++) {
      await sleep(350); // past the breaker's reset timeout
      const retried = await Promise.allSettled(drafts.map((d) => guarded.insertMessage(d)));
      if (retried.every((r) => r.status === 'fulfilled') || attempt === 20) break;
    }
    const history = await fullHistory(store, 'locked');
    expect(history.map((m) => m.clientMsgId).sort()).toEqual(['before', ...drafts.map((d) => d.clientMsgId)].sort());
    expectGapFree(history);
    expect(breakers.statuses().store!.state).toBe('closed');
    await breakers.shutdown();
  });
});

describe.skipIf(postgres.skip)('group commit on PostgreSQL: two nodes, failures and timeouts', () => {
  const opened: SqlStore[] = [];
  let lease: PostgresService;
  beforeAll(async () => {
    lease = await postgres.start();
  }, 60_000);
  afterAll(async () => {
    for (const s of opened) await s.close().catch(() => {});
    await lease?.stop();
  });
  const openNode = async (timeoutMs = 2_000) => {
    const store = new SqlStore('postgres', await openPostgresDriver(lease.url, timeoutMs), { maxBatch: 64, maxWaitMs: 2 }, 4);
    opened.push(store);
    await store.migrate();
    return store;
  };

  it('two nodes committing batches into one channel at once store every key exactly once, seq gap-free', async () => {
    const [one, two] = [await openNode(), await openNode()];
    await one.upsertChannel('shared', false, []);
    // 300 keys per node; 60 of them are sent through both nodes (a client retrying on the other node).
    const keysOne = Array.from({ length: 300 }, (_, i) => `one-${i}`);
    const keysTwo = [...Array.from({ length: 240 }, (_, i) => `two-${i}`), ...keysOne.slice(0, 60)];
    const sendAll = (store: SqlStore, keys: string[]) => Promise.all(keys.map((k) => store.insertMessage(send('shared', 'writer', k))));
    const [answersOne, answersTwo] = await Promise.all([sendAll(one, keysOne), sendAll(two, keysTwo)]);

    const history = await fullHistory(one, 'shared');
    expectGapFree(history);
    expect(history).toHaveLength(540);
    expect(new Set(history.map((m) => `${m.authorId}/${m.clientMsgId}`)).size).toBe(540);
    const byKey = new Map(history.map((m) => [`${m.authorId}/${m.clientMsgId}`, m]));
    for (const answer of [...answersOne, ...answersTwo]) expect(byKey.get(`${answer.message.authorId}/${answer.message.clientMsgId}`)).toEqual(answer.message);
    // Each shared key was created by exactly one of the two nodes.
    for (let i = 0; i < 60; i++) expect([answersOne[i]!.created, answersTwo[240 + i]!.created].filter(Boolean)).toHaveLength(1);
  });

  it('two nodes racing on the same keys sent to different channels in opposite orders: no deadlock, each key stored once', async () => {
    const [one, two] = [await openNode(), await openNode()];
    await one.upsertChannel('race-a', false, []);
    await one.upsertChannel('race-b', false, []);
    // A client retrying every send through the other node, into another channel, in reverse order: the
    // two batches hold different channel locks and insert the same keys; neither may fail for the other.
    const keys = Array.from({ length: 40 }, (_, i) => `race-${i}`);
    const [answersOne, answersTwo] = await Promise.all([
      Promise.allSettled(keys.map((k) => one.insertMessage(send('race-a', 'racer', k)))),
      Promise.allSettled([...keys].reverse().map((k) => two.insertMessage(send('race-b', 'racer', k)))),
    ]);
    const fulfilled = [...answersOne, ...answersTwo].map((o) => {
      if (o.status === 'rejected') throw o.reason;
      return o.value;
    });
    const stored = [...(await fullHistory(one, 'race-a')), ...(await fullHistory(one, 'race-b'))];
    expect(stored.map((m) => m.clientMsgId).sort()).toEqual([...keys].sort());
    expectGapFree(await fullHistory(one, 'race-a'));
    expectGapFree(await fullHistory(one, 'race-b'));
    const byKey = new Map(stored.map((m) => [m.clientMsgId, m]));
    for (const answer of fulfilled) expect(answer.message).toEqual(byKey.get(answer.message.clientMsgId));
    expect(fulfilled.filter((a) => a.created)).toHaveLength(keys.length);
  });

  it('a failed batch answers each of its sends UNAVAILABLE with retryAfterMs and stores none of them', async () => {
    const store = await openNode(500);
    await store.upsertChannel('cut', false, []);
    const breakers = new Breakers({ ...DEFAULT_BREAKER_POLICY, resetTimeoutMs: 300 }, 1_000, () => {});
    const guarded = guardStore(store, breakers.create('store', (err) => classifyStoreError(err) === 'input'));
    await lease.kill('SIGKILL');
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => guarded.insertMessage(send('cut', 'fay', `lost-${i}`))));
    for (const o of outcomes) {
      expect(o.status).toBe('rejected');
      const err = (o as PromiseRejectedResult).reason as AppError;
      expect(err.code).toBe('UNAVAILABLE');
      expect(err.retryAfterMs).toBeGreaterThan(0);
    }
    await lease.restart();
    await sleep(400); // past the breaker's reset timeout: half-open lets the next call through
    let stored: Message[] = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      const ok = await guarded.insertMessage(send('cut', 'fay', 'after')).then(() => true, () => false);
      if (ok) break;
      await sleep(400);
    }
    stored = await fullHistory(store, 'cut');
    expect(stored.map((m) => m.clientMsgId)).toEqual(['after']);
    expectGapFree(stored);
    await breakers.shutdown();
  }, 60_000);

  it('DEPENDENCY_TIMEOUT_MS still bounds a send whose batch hangs; its retry lands exactly once', async () => {
    const proxyConn = await connectToxiproxy();
    try {
      const route = await throughProxy(proxyConn.toxiproxy, `gc-pg-${Date.now()}`, lease.url);
      const store = new SqlStore('postgres', await openPostgresDriver(route.url, 10_000), { maxBatch: 64, maxWaitMs: 2 }, 4);
      opened.push(store);
      await store.upsertChannel('frozen', false, []);
      const breakers = new Breakers({ ...DEFAULT_BREAKER_POLICY, resetTimeoutMs: 300 }, 500, () => {});
      const guarded = guardStore(store, breakers.create('store', (err) => classifyStoreError(err) === 'input'));
      // The database's answers take 3 s: longer than the 500 ms dependency timeout.
      await route.proxy.addToxic({ name: 'slow-answers', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 3_000, jitter: 0 } });
      const drafts = Array.from({ length: 8 }, (_, i) => send('frozen', 'gus', `hang-${i}`));
      const outcomes = await Promise.allSettled(drafts.map((d) => guarded.insertMessage(d)));
      await (await route.proxy.getToxic('slow-answers')).remove();
      for (const o of outcomes) expect(o.status === 'rejected' && (o.reason as AppError).code).toBe('UNAVAILABLE');
      // The outcome was unknown to the client: it retries every send with its key (DUR-2).
      for (let attempt = 0; ; attempt++) {
        await sleep(400);
        const retried = await Promise.allSettled(drafts.map((d) => guarded.insertMessage(d)));
        if (retried.every((r) => r.status === 'fulfilled') || attempt === 30) break;
      }
      const history = await fullHistory(store, 'frozen');
      expect(history.map((m) => m.clientMsgId).sort()).toEqual(drafts.map((d) => d.clientMsgId).sort());
      expectGapFree(history);
      await breakers.shutdown();
    } finally {
      await proxyConn.close();
    }
  }, 60_000);
});
