import type { Message } from '../../spec/index.ts';
import type { Store } from '../store/types.ts';
import { overrideStore } from './store.ts';

/*
 * Defects in the values a stored message comes back with (MSG-4, MSG-5, MSG-6, MSG-7, DUR-2): each
 * a store wrapper, so the ack, the broadcast and history all agree on the wrong value, as they
 * would with the mistake in the store itself.
 */

/** Every message the store hands back, passed through `change`. */
function mapMessages(store: Store, change: (m: Message) => Message): Store {
  return overrideStore(store, {
    insertMessage: async (msg) => {
      const r = await store.insertMessage(msg);
      return { ...r, message: change(r.message) };
    },
    getMessage: async (id) => {
      const m = await store.getMessage(id);
      return m && change(m);
    },
    editMessage: async (id, text) => {
      const m = await store.editMessage(id, text);
      return m && change(m);
    },
    history: async (channelId, beforeSeq, limit) => (await store.history(channelId, beforeSeq, limit)).map(change),
  });
}

/** `seq-starts-at-zero`: a channel's seq counts from 0, the counter read before its increment (MSG-6: starts at 1): S02. */
export function seqStartsAtZero(store: Store): Store {
  return mapMessages(store, (m) => ({ ...m, seq: m.seq - 1 }));
}

/**
 * `edit-resets-created-at`: the edit's UPDATE sets `created_at = now()` along with `edited_at`, so an
 * edited message moves in time (MSG-7: id, seq and createdAt kept): S05.
 */
export function editResetsCreatedAt(store: Store): Store {
  return mapMessages(store, (m) => (m.editedAt === null ? m : { ...m, createdAt: m.editedAt }));
}

/**
 * `attachment-name-raw`: an attachment's `nameHtml` is its name as given, the HTML encoder applied to
 * the message text only (MSG-5, TEXT-4: nameHtml encoded like text): C15 (a hostile attachment name).
 */
export function attachmentNameRaw(store: Store): Store {
  return mapMessages(store, (m) => ({ ...m, attachments: m.attachments.map((a) => ({ ...a, nameHtml: a.name })) }));
}

/** The suffix that makes each stored key unique; taken off again on the way out. */
const ONCE = /~\d+$/;

/**
 * `idempotency-in-memory`: the clientMsgId keys live in a map in the process, the rows under a unique
 * key of their own, so a retry within the process lands once but a retry after a restart is stored
 * again (MSG-4: keys kept as long as the message; DUR-2: a retry after a crash lands once): S10.
 */
export function idempotencyInMemory(store: Store): Store {
  const seen = new Map<string, Message>();
  let n = 0;
  const shown = mapMessages(store, (m) => ({ ...m, clientMsgId: m.clientMsgId.replace(ONCE, '') }));
  return overrideStore(shown, {
    insertMessage: async (msg) => {
      const key = `${msg.authorId}\u0000${msg.clientMsgId}`;
      const known = seen.get(key);
      if (known) return { message: known, created: false };
      const r = await shown.insertMessage({ ...msg, clientMsgId: `${msg.clientMsgId.slice(0, 110)}~${++n}` });
      const message = { ...r.message, clientMsgId: msg.clientMsgId };
      seen.set(key, message);
      return { message, created: r.created };
    },
  });
}
