import { AppError } from '../errors.ts';
import type { Ban, Channel, Store } from '../store/types.ts';
import { LookupCache } from './lookup-cache.ts';

type Cached = Ban | null | Channel | boolean;

/**
 * The store with stale-if-error look-ups (DEG-4): ban, channel and membership answers are always read
 * from the database when it answers, and remembered; while it is unreachable (UNAVAILABLE from the
 * store's breaker) a remembered answer younger than the TTL is served, otherwise the UNAVAILABLE stands
 * (fail-closed). Writes go through unchanged and keep the remembered answers consistent.
 */
export function withCachedLookups(store: Store, limits: { max: number; ttlMs: number }, onStale: () => void): Store {
  const cache = new LookupCache<Cached>(limits.max, limits.ttlMs);

  async function staleIfError<V extends Cached>(key: string, read: () => Promise<V>): Promise<V> {
    try {
      const value = await read();
      cache.set(key, value, Date.now());
      return value;
    } catch (err) {
      const remembered = err instanceof AppError && err.code === 'UNAVAILABLE' ? cache.get(key, Date.now()) : undefined;
      if (!remembered) throw err;
      onStale();
      return remembered.value as V;
    }
  }

  const memberKey = (channelId: string, userId: string) => `member\u0000${channelId}\u0000${userId}`;
  return {
    get kind() {
      return store.kind;
    },
    migrate: () => store.migrate(),
    ping: () => store.ping(),
    async upsertChannel(id, isPrivate, members) {
      const result = await store.upsertChannel(id, isPrivate, members);
      cache.delete(`channel\u0000${id}`);
      cache.deletePrefix(`member\u0000${id}\u0000`);
      return result;
    },
    getChannel: (id) => staleIfError(`channel\u0000${id}`, () => store.getChannel(id)),
    listMembers: (channelId) => store.listMembers(channelId),
    isMember: (channelId, userId) => staleIfError(memberKey(channelId, userId), () => store.isMember(channelId, userId)),
    async removeMember(channelId, userId) {
      await store.removeMember(channelId, userId);
      cache.set(memberKey(channelId, userId), false, Date.now());
    },
    insertMessage: (msg) => store.insertMessage(msg),
    getMessage: (id) => store.getMessage(id),
    editMessage: (id, text) => store.editMessage(id, text),
    history: (channelId, beforeSeq, limit) => store.history(channelId, beforeSeq, limit),
    async putBan(ban) {
      await store.putBan(ban);
      cache.set(`ban\u0000${ban.userId}`, ban, Date.now());
    },
    async activeBan(userId, now) {
      // The ban row is remembered, not the verdict, so a remembered temporary ban still ends on time.
      const ban = await staleIfError(`ban\u0000${userId}`, () => store.activeBan(userId, now));
      return ban && (ban.until === null || ban.until > now) ? ban : null;
    },
    close: () => store.close(),
  };
}
