import { randomUUID } from 'node:crypto';
import type { Message } from '../../spec/index.ts';
import { DEFAULT_BATCH_MAX, DEFAULT_BATCH_WAIT_MS, GroupCommit, type BatchPolicy, type Settled } from './group-commit.ts';
import { MESSAGE_COLUMNS, sendKey, toBan, toMessage, toNumber, type Stored } from './rows.ts';
import { MIGRATIONS } from './migrations.ts';
import type { SqlDriver, SqlExecutor } from './sql-driver.ts';
import { commitBatchOrEach } from './send-batches.ts';
import { assertStorable, refusingUnstorable } from './store-errors.ts';
import type { Ban, Channel, NewMessage, Store } from './types.ts';

/**
 * Message ids as the store writes them (PostgreSQL's lowercase UUID text). Any other id matches no
 * message; testing it first lets the look-up use the primary key instead of casting every row.
 */
const STORED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Any fixed number: every node that migrates the same database takes the same lock.
const MIGRATION_LOCK_KEY = 7_061_990;
const UNIQUE_VIOLATION = '23505';

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
    const policy: BatchPolicy = { ...batching, maxInFlight };
    this.sends = new GroupCommit(policy, (batch) => this.commitSends(batch));
  }

  async migrate(): Promise<void> {
    await this.db.transaction(async (tx) => {
      // Serialises nodes that start together against one database.
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await tx.query('CREATE TABLE IF NOT EXISTS schema_migrations (id integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const done = new Set((await tx.query('SELECT id FROM schema_migrations')).map((r) => toNumber(r.id)));
      for (const m of MIGRATIONS) {
        if (done.has(m.id)) continue;
        await tx.exec(m.sql);
        await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [m.id]);
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

  /** One batch of sends in one transaction; on input the database refused, one transaction per send. */
  private commitSends(batch: NewMessage[]): Promise<Settled<Stored>[]> {
    // A lone send (low load) takes the plain statements: array parameters cost more to plan than they save for one row.
    return commitBatchOrEach(batch, (sends) => this.db.transaction((tx) => this.insertBatchIn(tx, sends)), (msg) => this.insertOne(msg));
  }

  /**
   * Multi-row statements for the whole batch: find the keys already stored, take each channel's
   * seq range with one UPDATE, insert the new rows from arrays. A key repeated within the batch is
   * one send: stored once, and every copy answered with the stored message (MSG-4).
   */
  private async insertBatchIn(tx: SqlExecutor, batch: NewMessage[]): Promise<Settled<Stored>[]> {
    const firstByKey = new Map<string, NewMessage>();
    for (const msg of batch) if (!firstByKey.has(sendKey(msg.authorId, msg.clientMsgId))) firstByKey.set(sendKey(msg.authorId, msg.clientMsgId), msg);
    const sends = [...firstByKey.values()];

    const stored = new Map<string, Message>();
    const existing = await tx.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages JOIN unnest($1::text[], $2::text[]) AS k(author, key)
       ON author_id = k.author AND client_msg_id = k.key`,
      [sends.map((m) => m.authorId), sends.map((m) => m.clientMsgId)],
    );
    for (const row of existing) stored.set(sendKey(String(row.author_id), String(row.client_msg_id)), toMessage(row));
    const fresh = sends.filter((m) => !stored.has(sendKey(m.authorId, m.clientMsgId)));
    const created = new Set<string>();

    if (fresh.length > 0) {
      const perChannel = new Map<string, number>();
      for (const m of fresh) perChannel.set(m.channelId, (perChannel.get(m.channelId) ?? 0) + 1);
      const channelIds = [...perChannel.keys()].sort();
      // Every node locks a batch's channels in the same order, so two batches never deadlock.
      if (channelIds.length > 1) await tx.query('SELECT id FROM channels WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE', [channelIds]);
      // The row lock on each channel orders concurrent batches, so seq follows commit order, gap-free.
      const seqRows = await tx.query(
        `UPDATE channels SET last_seq = channels.last_seq + c.n FROM unnest($1::text[], $2::bigint[]) AS c(id, n)
         WHERE channels.id = c.id RETURNING channels.id, channels.last_seq`,
        [channelIds, channelIds.map((id) => perChannel.get(id)!)],
      );
      const nextSeq = new Map<string, number>();
      for (const row of seqRows) nextSeq.set(String(row.id), toNumber(row.last_seq) - perChannel.get(String(row.id))! + 1);
      const seqs = fresh.map((m) => {
        const seq = nextSeq.get(m.channelId);
        if (seq === undefined) throw new Error(`channel ${m.channelId} vanished during insert`);
        nextSeq.set(m.channelId, seq + 1);
        return seq;
      });
      const rows = await tx.query(
        `INSERT INTO messages (id, channel_id, seq, author_id, author_name, client_msg_id, text, attachments)
         SELECT id, channel_id, seq, author_id, author_name, client_msg_id, text, attachments::jsonb
         FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
           AS m(id, channel_id, seq, author_id, author_name, client_msg_id, text, attachments)
         RETURNING ${MESSAGE_COLUMNS}`,
        [
          fresh.map(() => randomUUID()),
          fresh.map((m) => m.channelId),
          seqs,
          fresh.map((m) => m.authorId),
          fresh.map((m) => m.authorName),
          fresh.map((m) => m.clientMsgId),
          fresh.map((m) => m.text),
          fresh.map((m) => JSON.stringify(m.attachments)),
        ],
      );
      for (const row of rows) {
        const key = sendKey(String(row.author_id), String(row.client_msg_id));
        stored.set(key, toMessage(row));
        created.add(key);
      }
    }

    // Only the first copy of a key is the send that created the message; the others are retries.
    return batch.map((msg) => {
      const key = sendKey(msg.authorId, msg.clientMsgId);
      const message = stored.get(key);
      if (!message) return { ok: false, error: new Error(`send ${msg.clientMsgId} not stored by its batch`) };
      const first = created.delete(key);
      return { ok: true, value: { message, created: first } };
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
      [randomUUID(), msg.channelId, seq, msg.authorId, msg.authorName, msg.clientMsgId, msg.text, JSON.stringify(msg.attachments)],
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
