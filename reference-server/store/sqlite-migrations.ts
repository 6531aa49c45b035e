/**
 * Schema of the embedded SQLite store. Each entry runs once, in order, in one transaction with the
 * bump of `PRAGMA user_version`, which records what ran. Append only. STRICT tables refuse a value
 * of the wrong type (SQLITE_CONSTRAINT_DATATYPE, the caller's error as PostgreSQL's class 22 is);
 * timestamps are epoch milliseconds.
 */
export const SQLITE_MIGRATIONS: readonly { id: number; sql: string }[] = [
  {
    id: 1,
    sql: `
      CREATE TABLE channels (
        id TEXT PRIMARY KEY,
        private INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
        last_seq INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE channel_members (
        channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        PRIMARY KEY (channel_id, user_id)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        author_id TEXT NOT NULL,
        author_name TEXT NOT NULL,
        client_msg_id TEXT NOT NULL,
        text TEXT NOT NULL,
        attachments TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL,
        edited_at INTEGER,
        UNIQUE (channel_id, seq),
        UNIQUE (author_id, client_msg_id)
      ) STRICT;
      CREATE TABLE bans (
        user_id TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        banned_by TEXT NOT NULL,
        until INTEGER,
        created_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
];
