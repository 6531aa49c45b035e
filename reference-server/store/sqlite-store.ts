import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Message } from '../../spec/index.ts';
import { DEFAULT_BATCH_MAX, DEFAULT_BATCH_WAIT_MS, GroupCommit, type Settled } from './group-commit.ts';
import { MESSAGE_COLUMNS, toBan, toMessage, toNumber, type Row, type Stored } from './rows.ts';
import { commitBatchOrEach } from './send-batches.ts';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.ts';
import { refusingUnstorableArguments } from './store-errors.ts';
import { timeOrderedId } from './time-ordered-id.ts';
import type { Ban, Channel, NewMessage, Store } from './types.ts';

/** The embedded store's database file, in DATA_DIR (with its -wal and -shm files beside it). */
export const SQLITE_FILE = 'chat.sqlite';

/**
 * Longest SQLite waits for a lock another process holds (only a foreign process can: this one has
 * a single connection). better-sqlite3 waits synchronously, blocking the event loop, so the wait
 * is short and below DEPENDENCY_TIMEOUT_MS; then the call fails SQLITE_BUSY, a store failure the
 * store breaker counts.
 */
export const MAX_BUSY_WAIT_MS = 50;

/**
 * Opens (creating) the database in DATA_DIR, in WAL mode with synchronous=NORMAL. DUR-1 and DUR-3
 * promise that an acked send survives a crash of the *process* (SIGKILL included): in WAL mode a
 * commit has written its frames to the WAL file, into the operating system, before COMMIT returns,
 * and the OS keeps them when the process dies; NORMAL is enough for that. FULL would add an fsync
 * per commit, which better-sqlite3 runs on the event loop's thread, blocking every socket meanwhile
 * (measured in the README, Performance). A power loss with NORMAL may lose the last commits but
 * never corrupts the database; where that matters, PostgreSQL is the store.
 */
export function openSqliteDatabase(dataDir: string, busyWaitMs = MAX_BUSY_WAIT_MS): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, SQLITE_FILE);
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: busyWaitMs });
  } catch (err) {
    // SQLite's own message ("unable to open database file") names no file: the start-up line should.
    throw Object.assign(new Error(`cannot open the embedded store ${path} (DATA_DIR): ${(err as Error).message}`), { code: (err as { code?: unknown }).code });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  return db;
}

type Statement = Database.Statement<unknown[], Row>;

/** Every statement the store runs, prepared once (after migrate: they name its tables). */
function prepare(db: Database.Database) {
  const s = (sql: string) => db.prepare<unknown[], Row>(sql);
  return {
    channel: s('SELECT id, private, last_seq FROM channels WHERE id = ?'),
    upsertChannel: s(`INSERT INTO channels (id, private, created_at) VALUES (?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET private = excluded.private`),
    deleteMembers: s('DELETE FROM channel_members WHERE channel_id = ?'),
    insertMember: s('INSERT INTO channel_members (channel_id, user_id) VALUES (?, ?)'),
    members: s('SELECT user_id FROM channel_members WHERE channel_id = ? ORDER BY user_id'),
    member: s('SELECT 1 FROM channel_members WHERE channel_id = ? AND user_id = ?'),
    removeMember: s('DELETE FROM channel_members WHERE channel_id = ? AND user_id = ?'),
    byKey: s(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE author_id = ? AND client_msg_id = ?`),
    lastSeq: s('SELECT last_seq FROM channels WHERE id = ?'),
    setLastSeq: s('UPDATE channels SET last_seq = ? WHERE id = ?'),
    // A key already stored inserts nothing (changes 0): the send is a retry (MSG-4).
    insertMessage: s(`INSERT INTO messages (id, channel_id, seq, author_id, author_name, client_msg_id, text, attachments, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (author_id, client_msg_id) DO NOTHING`),
    message: s(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`),
    editMessage: s(`UPDATE messages SET text = ?, edited_at = ? WHERE id = ? RETURNING ${MESSAGE_COLUMNS}`),
    newest: s(`SELECT * FROM (SELECT ${MESSAGE_COLUMNS} FROM messages WHERE channel_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq ASC`),
    before: s(`SELECT * FROM (SELECT ${MESSAGE_COLUMNS} FROM messages WHERE channel_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?) ORDER BY seq ASC`),
    putBan: s(`INSERT INTO bans (user_id, reason, banned_by, until, created_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (user_id) DO UPDATE SET reason = excluded.reason, banned_by = excluded.banned_by,
        until = excluded.until, created_at = excluded.created_at`),
    activeBan: s('SELECT user_id, reason, banned_by, until FROM bans WHERE user_id = ? AND (until IS NULL OR until > ?)'),
  } satisfies Record<string, Statement>;
}

/**
 * The chat store embedded in the process: SQLite through better-sqlite3, one connection. Every call
 * is synchronous underneath and short (a batch of 64 sends is well under a millisecond of SQL);
 * sends go through the same group-commit core as PostgreSQL's, one transaction per batch.
 */
class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private statements: ReturnType<typeof prepare> | undefined;
  private readonly sends: GroupCommit<NewMessage, Stored>;
  private readonly insertBatch: (batch: NewMessage[]) => Stored[];
  /** Apart from the others: it names no table, so it works before migrate. */
  private readonly pingStatement: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    batching: { maxBatch: number; maxWaitMs: number },
  ) {
    // One connection commits one transaction at a time.
    this.sends = new GroupCommit({ ...batching, maxInFlight: 1, gatherTurn: true }, (batch) => this.commitSends(batch));
    // IMMEDIATE: the write lock is taken at BEGIN, so a foreign lock fails the batch before any work.
    const batchTx = db.transaction((batch: NewMessage[]) => this.insertAll(batch));
    this.insertBatch = (batch) => batchTx.immediate(batch);
    this.pingStatement = db.prepare('SELECT 1');
  }

  private get sql(): ReturnType<typeof prepare> {
    return (this.statements ??= prepare(this.db));
  }

  async migrate(): Promise<void> {
    this.db
      .transaction(() => {
        const applied = this.db.pragma('user_version', { simple: true }) as number;
        for (const m of SQLITE_MIGRATIONS) {
          if (m.id <= applied) continue;
          this.db.exec(m.sql);
          this.db.pragma(`user_version = ${m.id}`);
        }
      })
      .immediate();
  }

  async ping(): Promise<void> {
    this.pingStatement.get();
  }

  async upsertChannel(id: string, isPrivate: boolean, members: string[]): Promise<{ created: boolean }> {
    return this.db
      .transaction(() => {
        const created = this.sql.channel.get(id) === undefined;
        this.sql.upsertChannel.run(id, isPrivate ? 1 : 0, Date.now());
        this.sql.deleteMembers.run(id);
        for (const userId of new Set(members)) this.sql.insertMember.run(id, userId);
        return { created };
      })
      .immediate();
  }

  async getChannel(id: string): Promise<Channel | null> {
    const row = this.sql.channel.get(id);
    return row ? { id: String(row.id), private: row.private === 1, lastSeq: toNumber(row.last_seq) } : null;
  }

  async listMembers(channelId: string): Promise<string[]> {
    return this.sql.members.all(channelId).map((r) => String(r.user_id));
  }

  async isMember(channelId: string, userId: string): Promise<boolean> {
    return this.sql.member.get(channelId, userId) !== undefined;
  }

  async removeMember(channelId: string, userId: string): Promise<void> {
    this.sql.removeMember.run(channelId, userId);
  }

  insertMessage(msg: NewMessage): Promise<Stored> {
    return this.sends.submit(msg);
  }

  /**
   * One batch in one transaction (or, on input SQLite refused, one per send). The SQL is synchronous,
   * so nothing could join a batch while it commits: the group-commit core takes each batch one
   * event-loop turn after deciding to flush (gatherTurn), so the sends that arrive in that turn
   * commit together, while a lone send at low load waits for nothing but that turn.
   */
  private async commitSends(batch: NewMessage[]): Promise<Settled<Stored>[]> {
    return commitBatchOrEach(
      batch,
      async (sends) => this.insertBatch(sends).map((value) => ({ ok: true, value })),
      async (msg) => this.insertBatch([msg])[0]!,
    );
  }

  /**
   * The sends of a batch inside the caller's transaction, with two statements per channel (its
   * last_seq read, then written back) and one per send. seq is counted here from the channel's
   * last_seq, which the transaction's write lock keeps from changing under it: gap-free, in commit
   * order. A key already stored (earlier, or by an earlier copy in the same batch, which the
   * transaction sees) inserts nothing and answers the stored message, not created (MSG-4).
   */
  private insertAll(batch: NewMessage[]): Stored[] {
    const seqs = new Map<string, { read: number; last: number }>();
    const stored = batch.map((msg): Stored => {
      let seq = seqs.get(msg.channelId);
      if (!seq) {
        const read = this.sql.lastSeq.get(msg.channelId)?.last_seq;
        if (read === undefined) throw new Error(`channel ${msg.channelId} vanished during insert`);
        seq = { read: toNumber(read), last: toNumber(read) };
        seqs.set(msg.channelId, seq);
      }
      const row = {
        id: timeOrderedId(),
        channel_id: msg.channelId,
        seq: seq.last + 1,
        author_id: msg.authorId,
        author_name: msg.authorName,
        client_msg_id: msg.clientMsgId,
        text: msg.text,
        attachments: msg.attachments,
        created_at: Date.now(),
        edited_at: null,
      };
      const { changes } = this.sql.insertMessage.run(
        row.id, row.channel_id, row.seq, row.author_id, row.author_name, row.client_msg_id, row.text, JSON.stringify(row.attachments), row.created_at,
      );
      if (changes === 0) {
        const existing = this.sql.byKey.get(msg.authorId, msg.clientMsgId);
        if (!existing) throw new Error(`send ${msg.clientMsgId} neither stored nor found`);
        return { message: toMessage(existing), created: false };
      }
      seq.last = row.seq;
      // The row as stored: STRICT columns keep these values as given (refusingUnstorableArguments refused any they would not).
      return { message: toMessage(row), created: true };
    });
    for (const [channelId, seq] of seqs) if (seq.last !== seq.read) this.sql.setLastSeq.run(seq.last, channelId);
    return stored;
  }

  async getMessage(id: string): Promise<Message | null> {
    const row = this.sql.message.get(id);
    return row ? toMessage(row) : null;
  }

  async editMessage(id: string, text: string): Promise<Message | null> {
    const row = this.sql.editMessage.get(text, Date.now(), id);
    return row ? toMessage(row) : null;
  }

  async history(channelId: string, beforeSeq: number | undefined, limit: number): Promise<Message[]> {
    const rows = beforeSeq === undefined ? this.sql.newest.all(channelId, limit) : this.sql.before.all(channelId, beforeSeq, limit);
    return rows.map(toMessage);
  }

  async putBan(ban: Ban): Promise<void> {
    this.sql.putBan.run(ban.userId, ban.reason, ban.by, ban.until?.getTime() ?? null, Date.now());
  }

  async activeBan(userId: string, now: Date): Promise<Ban | null> {
    const row = this.sql.activeBan.get(userId, now.getTime());
    return row ? toBan(row) : null;
  }

  async close(): Promise<void> {
    await this.sends.idle();
    this.db.close();
  }
}

/**
 * The embedded store on an open database, with every argument checked first (refusingUnstorableArguments):
 * a string SQLite would store altered (a lone surrogate) or PostgreSQL could not hold (NUL) is the
 * caller's error, as in the PostgreSQL store (BRK-6).
 */
export function createSqliteStore(
  db: Database.Database,
  batching: { maxBatch: number; maxWaitMs: number } = { maxBatch: DEFAULT_BATCH_MAX, maxWaitMs: DEFAULT_BATCH_WAIT_MS },
): Store {
  return refusingUnstorableArguments(new SqliteStore(db, batching));
}
