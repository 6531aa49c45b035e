/**
 * Schema migrations of the PostgreSQL store (the embedded store's are sqlite-migrations.ts). Each entry runs once,
 * in order, inside a transaction; `schema_migrations` records what ran. Append only.
 */
export const MIGRATIONS: readonly { id: number; sql: string }[] = [
  {
    id: 1,
    sql: `
      CREATE TABLE channels (
        id text PRIMARY KEY,
        private boolean NOT NULL DEFAULT false,
        last_seq bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE channel_members (
        channel_id text NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
        user_id text NOT NULL,
        PRIMARY KEY (channel_id, user_id)
      );
      CREATE TABLE messages (
        id uuid PRIMARY KEY,
        channel_id text NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        author_id text NOT NULL,
        author_name text NOT NULL,
        client_msg_id text NOT NULL,
        text text NOT NULL,
        attachments jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        edited_at timestamptz,
        UNIQUE (channel_id, seq),
        UNIQUE (author_id, client_msg_id)
      );
      CREATE TABLE bans (
        user_id text PRIMARY KEY,
        reason text NOT NULL,
        banned_by text NOT NULL,
        until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
];
