import type { Attachment, Message } from '../../spec/index.ts';

export interface Channel {
  id: string;
  private: boolean;
  lastSeq: number;
}

export interface NewMessage {
  channelId: string;
  authorId: string;
  authorName: string;
  text: string;
  clientMsgId: string;
  attachments: Attachment[];
}

export interface Ban {
  userId: string;
  reason: string;
  by: string;
  /** null for a permanent ban. */
  until: Date | null;
}

/** How a store migrates; the clean build passes none. */
export interface MigrateOptions {
  /** Only the faulty build `migrations-rerun` (NODE-4): run every migration again, applied or not. */
  rerunApplied?: boolean;
}

/**
 * The durable state of a chat node. Domain outcomes (not found, duplicate key) are return values;
 * a throw is either the backing service failing, which the store's circuit breaker counts, or
 * input the database refused (classifyStoreError: StoreInputError, SQLSTATE class 22 or 23), which
 * it never counts (BRK-6).
 */
export interface Store {
  readonly kind: string;
  migrate(opts?: MigrateOptions): Promise<void>;
  ping(): Promise<void>;
  upsertChannel(id: string, isPrivate: boolean, members: string[]): Promise<{ created: boolean }>;
  getChannel(id: string): Promise<Channel | null>;
  listMembers(channelId: string): Promise<string[]>;
  isMember(channelId: string, userId: string): Promise<boolean>;
  removeMember(channelId: string, userId: string): Promise<void>;
  /** Stores a message durably, or returns the one the author already stored under clientMsgId. */
  insertMessage(msg: NewMessage): Promise<{ message: Message; created: boolean }>;
  getMessage(id: string): Promise<Message | null>;
  editMessage(id: string, text: string): Promise<Message | null>;
  history(channelId: string, beforeSeq: number | undefined, limit: number): Promise<Message[]>;
  putBan(ban: Ban): Promise<void>;
  /** The user's ban in force at `now`, if any. */
  activeBan(userId: string, now: Date): Promise<Ban | null>;
  close(): Promise<void>;
}
