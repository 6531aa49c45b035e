import { randomUUID } from 'node:crypto';
import type { Message } from '../../spec/index.ts';
import type { Store } from '../store/types.ts';

/** The store with some of its calls replaced; every other call goes to the real one. */
export function overrideStore(store: Store, parts: Partial<Store>): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (Object.hasOwn(parts, prop)) return parts[prop as keyof Store];
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** `no-idempotency`: every send is stored under a fresh key, so a retried send is stored twice (S03). */
export function withoutIdempotency(store: Store): Store {
  return overrideStore(store, {
    insertMessage: (msg) => store.insertMessage({ ...msg, clientMsgId: `${msg.clientMsgId}#${randomUUID()}` }),
  });
}

/** `no-ban-check`: nobody is ever found banned, so a banned user connects again (C17, S08). */
export function withoutBans(store: Store): Store {
  return overrideStore(store, { activeBan: async () => null });
}

/**
 * `blacklist-sanitizer`: sent and edited messages come back with their HTML made by stripping
 * script tags and `javascript:` from the text, the classic mistake TEXT-2 forbids (C15). History
 * keeps the stored, safe HTML, as it did when this defect lived in the handlers.
 */
export function withBlacklistSanitizer(store: Store): Store {
  return withMessageHtml(store, (text) => text.replace(/<\s*\/?\s*script[^>]*>/gi, '').replace(/javascript:/gi, ''));
}

/** Sent and edited messages come back with their `html` made from their text by `html` (history keeps the stored one). */
export function withMessageHtml(store: Store, html: (text: string) => string): Store {
  const remade = (message: Message): Message => ({ ...message, html: html(message.text) });
  return overrideStore(store, {
    insertMessage: async (msg) => {
      const result = await store.insertMessage(msg);
      return { ...result, message: remade(result.message) };
    },
    editMessage: async (id, text) => {
      const updated = await store.editMessage(id, text);
      return updated && remade(updated);
    },
  });
}

/**
 * `reordered-seq`: history pages come back with each pair of neighbours swapped, so history is no longer in
 * seq order (MSG-6, HIST-1); caught by the chaos seq-order checker (chaos/test/faulty-checkers.test.ts).
 */
export function withReorderedHistory(store: Store): Store {
  return overrideStore(store, {
    history: async (channelId, beforeSeq, limit) => {
      const page = await store.history(channelId, beforeSeq, limit);
      return page.map((m, i) => (i % 2 === 0 ? (page[i + 1] ?? m) : page[i - 1]!));
    },
  });
}
