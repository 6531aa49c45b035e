import type { Message } from '../../spec/index.ts';
import { DEFAULT_BATCH_MAX, DEFAULT_BATCH_WAIT_MS, GroupCommit, type BatchPolicy, type Settled } from './group-commit.ts';
import { MESSAGE_COLUMNS, sendKey, toBan, toMessage, toNumber, type Stored } from './rows.ts';
import { MIGRATIONS } from './migrations.ts';
import type { SqlDriver, SqlExecutor } from './sql-driver.ts';
import { commitBatchOrEach } from './send-batches.ts';
import { assertStorable, refusingUnstorable } from './store-errors.ts';
import { timeOrderedId } from './time-ordered-id.ts';
import type { Ban, Channel, MigrateOptions, NewMessage, Store } from './types.ts';

/**
 * Message ids as the store writes them (PostgreSQL's lowercase UUID text). Any other id matches no
 * message; testing it first lets the look-up use the primary key instead of casting every row.
 */
const STORED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Any fixed number: every node that migrates the same database takes the same lock.
const MIGRATION_LOCK_KEY = 7_061_990;
const UNIQUE_VIOLATION = '23505';

/**
 * A batch of sends (arrays in arrival order, one key each) in one statement:
 * - `existing`: keys already stored answer with their stored row (a retry, MSG-4), one index look-up
 *   per key (a join could be planned as a scan of every message, and the plan is kept: a named statement);
 * - `fresh` numbers the new sends per channel in arrival order;
 * - `locked` takes the row lock of each channel the batch writes, in id order, so two batches (two
 *   nodes, or a pool) never deadlock: every later lock of the statement is one of these rows. The
 *   lock orders concurrent batches, so seq follows commit order, gap-free;
 * - `bumped` moves each channel's last_seq by its count of new sends; the INSERT waits for all of it
 *   (the one-time count), so no message row is written before every channel lock is held;
 * - rows are inserted in key order, so two batches racing on the same keys (a client retrying through
 *   the other node) wait on each other in one order and the loser fails with 23505, not a deadlock;
 *   commitBatchOrEach then retries its sends one by one and each finds the winner's row.
 */
export const INSERT_BATCH = `
WITH input AS MATERIALIZED (
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
    WITH ORDINALITY AS i(id, channel_id, author_id, author_name, client_msg_id, text, attachments, ord)
), existing AS MATERIALIZED (
  SELECT m.* FROM input i CROSS JOIN LATERAL (
    SELECT ${MESSAGE_COLUMNS} FROM messages WHERE author_id = i.author_id AND client_msg_id = i.client_msg_id LIMIT 1
  ) m
), fresh AS MATERIALIZED (
  SELECT i.*, row_number() OVER (PARTITION BY i.channel_id ORDER BY i.ord) AS nth, count(*) OVER (PARTITION BY i.channel_id) AS n
  FROM input i
  WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.author_id = i.author_id AND e.client_msg_id = i.client_msg_id)
), locked AS MATERIALIZED (
  SELECT c.id FROM channels c WHERE c.id IN (SELECT channel_id FROM fresh) ORDER BY c.id COLLATE "C" FOR UPDATE OF c
), bumped AS (
  UPDATE channels c SET last_seq = c.last_seq + f.n
  FROM (SELECT DISTINCT channel_id, n FROM fresh) f JOIN locked l ON l.id = f.channel_id
  WHERE c.id = f.channel_id
  RETURNING c.id, c.last_seq - f.n AS base
), inserted AS (
  INSERT INTO messages (id, channel_id, seq, author_id, author_name, client_msg_id, text, attachments)
  SELECT f.id, f.channel_id, b.base + f.nth, f.author_id, f.author_name, f.client_msg_id, f.text, f.attachments::jsonb
  FROM fresh f JOIN bumped b ON b.id = f.channel_id
  WHERE (SELECT count(*) FROM bumped) > 0
  ORDER BY f.author_id COLLATE "C", f.client_msg_id COLLATE "C"
  RETURNING ${MESSAGE_COLUMNS}
)
SELECT true AS created, ${MESSAGE_COLUMNS} FROM inserted
UNION ALL
SELECT false AS created, ${MESSAGE_COLUMNS} FROM existing`;

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === UNIQUE_VIOLATION;
}

/** The chat store in SQL, for any PostgreSQL-speaking driver. */
export class SqlStore implements Store {
  private readonly db: SqlDriver;
  /** Sends are written by group commit: one transaction per batch, each acked after its commit (DUR-1). */
  private readonly sends: GroupCommit<NewMessage, Stored>;

  constructor(
    readonly kind: string,
    driver: SqlDriver,
    batching: { maxBatch: number; maxWaitMs: number } = { maxBatch: DEFAULT_BATCH_MAX, maxWaitMs: DEFAULT_BATCH_WAIT_MS },
    /** Batches committing at once: a pool can run a few. */
    maxInFlight = 1,
  ) {
    // Input the database cannot hold is refused before it is sent, as the caller's error (BRK-6).
    this.db = refusingUnstorable(driver);
    // gatherTurn: the sends read in one poll (a batch's clients answering their acks) share a commit;
    // at 50 bench clients 14 -> 19 sends per commit, for one event-loop turn of wait.
    const policy: BatchPolicy = { ...batching, maxInFlight, gatherTurn: true };
    this.sends = new GroupCommit(policy, (batch) => this.commitSends(batch));
  }

  async migrate(opts: MigrateOptions = {}): Promise<void> {
    await this.db.transaction(async (tx) => {
      // Serialises nodes that start together against one database.
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await tx.query('CREATE TABLE IF NOT EXISTS schema_migrations (id integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const done = new Set((await tx.query('SELECT id FROM schema_migrations')).map((r) => toNumber(r.id)));
      for (const m of MIGRATIONS) {
        if (done.has(m.id) && !opts.rerunApplied) continue;
        await tx.exec(m.sql);
        if (!done.has(m.id)) await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [m.id]);
      }
    });
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async upsertChannel(id: string, isPrivate: boolean, members: string[]): Promise<{ created: boolean }> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query(
        `INSERT INTO channels (id, private) VALUES ($1, $2)
         ON CONFLICT (id) DO UPDATE SET private = EXCLUDED.private
         RETURNING (xmax = 0) AS created`,
        [id, isPrivate],
      );
      await tx.query('DELETE FROM channel_members WHERE channel_id = $1', [id]);
      // One statement for any number of members (the fixture allows 10 000).
      await tx.query('INSERT INTO channel_members (channel_id, user_id) SELECT $1, unnest($2::text[])', [id, [...new Set(members)]]);
      return { created: rows[0]?.created === true };
    });
  }

  async getChannel(id: string): Promise<Channel | null> {
    const rows = await this.db.query('SELECT id, private, last_seq FROM channels WHERE id = $1', [id]);
    const row = rows[0];
    return row ? { id: String(row.id), private: row.private === true, lastSeq: toNumber(row.last_seq) } : null;
  }

  async listMembers(channelId: string): Promise<string[]> {
    const rows = await this.db.query('SELECT user_id FROM channel_members WHERE channel_id = $1 ORDER BY user_id', [channelId]);
    return rows.map((r) => String(r.user_id));
  }

  async isMember(channelId: string, userId: string): Promise<boolean> {
    const rows = await this.db.query('SELECT 1 FROM channel_members WHERE channel_id = $1 AND user_id = $2', [channelId, userId]);
    return rows.length > 0;
  }

  async removeMember(channelId: string, userId: string): Promise<void> {
    await this.db.query('DELETE FROM channel_members WHERE channel_id = $1 AND user_id = $2', [channelId, userId]);
  }

  async insertMessage(msg: NewMessage): Promise<Stored> {
    // A send the driver would refuse is refused on its own, before it joins anyone's batch; what only
    // the database refuses (e.g. NUL escaped inside the attachments' JSON, 22P05) fails its batch,
    // which commitSends then retries send by send (BRK-6).
    assertStorable([msg.channelId, msg.authorId, msg.authorName, msg.clientMsgId, msg.text, JSON.stringify(msg.attachments)], 'message');
    return this.sends.submit(msg);
  }

  /** One batch of sends in one statement (one round trip, one commit); on input the database refused, one transaction per send. */
  private commitSends(batch: NewMessage[]): Promise<Settled<Stored>[]> {
    // A lone send too: one statement is one round trip, the per-send transaction five.
    return commitBatchOrEach(batch, (sends) => this.insertBatch(sends), (msg) => this.insertOne(msg), true);
  }

  /**
   * The whole batch in one statement, which PostgreSQL runs as its own transaction: one round trip and
   * one commit per batch, and a channel's row lock held only while that statement runs (INSERT_BATCH).
   * A key repeated within the batch is one send: sent once, stored once, and every copy answered with
   * the stored message (MSG-4).
   */
  private async insertBatch(batch: NewMessage[]): Promise<Settled<Stored>[]> {
    const firstByKey = new Map<string, NewMessage>();
    for (const msg of batch) if (!firstByKey.has(sendKey(msg.authorId, msg.clientMsgId))) firstByKey.set(sendKey(msg.authorId, msg.clientMsgId), msg);
    const sends = [...firstByKey.values()];
    const rows = await this.db.query(
      INSERT_BATCH,
      [
        sends.map(() => timeOrderedId()),
        sends.map((m) => m.channelId),
        sends.map((m) => m.authorId),
        sends.map((m) => m.authorName),
        sends.map((m) => m.clientMsgId),
        sends.map((m) => m.text),
        sends.map((m) => JSON.stringify(m.attachments)),
      ],
      'sockproof_insert_batch',
    );
    const stored = new Map<string, Message>();
    const created = new Set<string>();
    for (const row of rows) {
      const key = sendKey(String(row.author_id), String(row.client_msg_id));
      stored.set(key, toMessage(row));
      if (row.created === true) created.add(key);
    }
    // Only the first copy of a key is the send that created the message; the others are retries.
    return batch.map((msg) => {
      const key = sendKey(msg.authorId, msg.clientMsgId);
      const message = stored.get(key);
      // A channel that vanished under the batch: that send alone is not stored.
      if (!message) return { ok: false, error: new Error(`send ${msg.clientMsgId} not stored by its batch`) };
      return { ok: true, value: { message, created: created.delete(key) } };
    });
  }

  /** One send in its own transaction: the fallback when a batch was refused for its data. */
  private async insertOne(msg: NewMessage): Promise<Stored> {
    try {
      return await this.db.transaction((tx) => this.insertIn(tx, msg));
    } catch (err) {
      // Two nodes raced on the same idempotency key: the loser returns the winner's message.
      if (!isUniqueViolation(err)) throw err;
      const existing = await this.findByClientMsgId(this.db, msg.authorId, msg.clientMsgId);
      if (!existing) throw err;
      return { message: existing, created: false };
    }
  }

  private async insertIn(tx: SqlExecutor, msg: NewMessage): Promise<Stored> {
    const existing = await this.findByClientMsgId(tx, msg.authorId, msg.clientMsgId);
    if (existing) return { message: existing, created: false };
    // The row lock on the channel orders concurrent inserts, so seq follows commit order.
    const seqRows = await tx.query('UPDATE channels SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq', [msg.channelId]);
    const seq = seqRows[0]?.last_seq;
    if (seq === undefined) throw new Error(`channel ${msg.channelId} vanished during insert`);
    const rows = await tx.query(
      `INSERT INTO messages (id, channel_id, seq, author_id, author_name, client_msg_id, text, attachments)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) RETURNING ${MESSAGE_COLUMNS}`,
      [timeOrderedId(), msg.channelId, seq, msg.authorId, msg.authorName, msg.clientMsgId, msg.text, JSON.stringify(msg.attachments)],
    );
    return { message: toMessage(rows[0]!), created: true };
  }

  private async findByClientMsgId(db: Pick<SqlExecutor, 'query'>, authorId: string, clientMsgId: string): Promise<Message | null> {
    const rows = await db.query(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE author_id = $1 AND client_msg_id = $2`, [authorId, clientMsgId]);
    return rows[0] ? toMessage(rows[0]) : null;
  }

  async getMessage(id: string): Promise<Message | null> {
    if (!STORED_ID.test(id)) return null;
    const rows = await this.db.query(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1::uuid`, [id]);
    return rows[0] ? toMessage(rows[0]) : null;
  }

  async editMessage(id: string, text: string): Promise<Message | null> {
    if (!STORED_ID.test(id)) return null;
    const rows = await this.db.query(
      `UPDATE messages SET text = $2, edited_at = now() WHERE id = $1::uuid RETURNING ${MESSAGE_COLUMNS}`,
      [id, text],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  async history(channelId: string, beforeSeq: number | undefined, limit: number): Promise<Message[]> {
    const rows = await this.db.query(
      `SELECT * FROM (
         SELECT ${MESSAGE_COLUMNS} FROM messages
         WHERE channel_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
         ORDER BY seq DESC LIMIT $3
       ) newest ORDER BY seq ASC`,
      [channelId, beforeSeq ?? null, limit],
    );
    return rows.map(toMessage);
  }

  async putBan(ban: Ban): Promise<void> {
    await this.db.query(
      `INSERT INTO bans (user_id, reason, banned_by, until) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id) DO UPDATE SET reason = EXCLUDED.reason, banned_by = EXCLUDED.banned_by,
         until = EXCLUDED.until, created_at = now()`,
      [ban.userId, ban.reason, ban.by, ban.until],
    );
  }

  async activeBan(userId: string, now: Date): Promise<Ban | null> {
    const rows = await this.db.query(
      'SELECT user_id, reason, banned_by, until FROM bans WHERE user_id = $1 AND (until IS NULL OR until > $2)',
      [userId, now],
    );
    const row = rows[0];
    return row ? toBan(row) : null;
  }

  async close(): Promise<void> {
    await this.sends.idle();
    await this.db.close();
  }
}
