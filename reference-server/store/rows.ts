import { encodeHtml, type Attachment, type Message } from '../../spec/index.ts';
import type { Ban } from './types.ts';

// Rows as both stores' drivers return them, mapped to the store's values (Message, Ban).

/** A row as a driver returns it: column name to value. */
export type Row = Record<string, unknown>;

/** A send's outcome: the stored message, and whether this send created it (a retry did not, MSG-4). */
export type Stored = { message: Message; created: boolean };

/** The idempotency key of a send (MSG-4). */
export const sendKey = (authorId: string, clientMsgId: string) => `${authorId}\u0000${clientMsgId}`;

/** The columns every message read selects, in the order toMessage reads them. */
export const MESSAGE_COLUMNS = `id, channel_id, seq, author_id, author_name, client_msg_id, text, attachments, created_at, edited_at`;

/** int8 arrives as string (node-postgres), bigint or number: each fits a JS number here. */
export function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

/** A timestamp as a driver returns it (Date, text, or epoch milliseconds in SQLite) as ISO 8601. */
export function toIso(v: unknown): string {
  return (v instanceof Date ? v : typeof v === 'number' ? new Date(v) : new Date(String(v))).toISOString();
}

/** A message row (jsonb attachments parsed or as JSON text) as the spec's Message, with its HTML. */
export function toMessage(row: Row): Message {
  const authorName = String(row.author_name);
  const text = String(row.text);
  return {
    id: String(row.id),
    channelId: String(row.channel_id),
    authorId: String(row.author_id),
    authorName,
    authorNameHtml: encodeHtml(authorName),
    text,
    html: encodeHtml(text),
    attachments: (typeof row.attachments === 'string' ? JSON.parse(row.attachments) : row.attachments) as Attachment[],
    clientMsgId: String(row.client_msg_id),
    createdAt: toIso(row.created_at),
    editedAt: row.edited_at == null ? null : toIso(row.edited_at),
    seq: toNumber(row.seq),
  };
}

/** A bans row (user_id, reason, banned_by, until) as a Ban. */
export function toBan(row: Row): Ban {
  return {
    userId: String(row.user_id),
    reason: String(row.reason),
    by: String(row.banned_by),
    until: row.until == null ? null : new Date(toIso(row.until)),
  };
}
