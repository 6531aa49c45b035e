import type { Message } from '../../spec/index.ts';
import type { Handler } from '../events/handler.ts';
import type { Store } from '../store/types.ts';
import { overrideStore } from './store.ts';

/*
 * Defects in what makes a message new (MSG-4, MET-2): the idempotency key's scope, and what counts
 * as a message sent.
 */

/**
 * `idempotency-keys-global`: a clientMsgId is unique across users, as a unique index on the key alone
 * makes it, so a second user's send with the same key gets the first user's message (MSG-4): S03.
 */
export function globalIdempotencyKeys(store: Store): Store {
  const byKey = new Map<string, Message>();
  return overrideStore(store, {
    async insertMessage(msg) {
      const earlier = byKey.get(msg.clientMsgId);
      if (earlier && earlier.authorId !== msg.authorId) return { message: earlier, created: false };
      const result = await store.insertMessage(msg);
      byKey.set(msg.clientMsgId, result.message);
      return result;
    },
  });
}

/**
 * `idempotent-repeat-counted`: messagesSent counts every send answered ok, idempotent repeats included
 * (MET-1, MET-2: repeats excluded): C18. The wrapper counts the repeats this node has seen.
 */
export function countRepeats(real: Handler<'message:send'>): Handler<'message:send'> {
  const seen = new Set<string>();
  return async (ctx, call, payload) => {
    const sent = await real(ctx, call, payload);
    const key = JSON.stringify([call.identity.userId, payload.clientMsgId]);
    if (seen.has(key)) ctx.metrics.inc('messagesSent');
    seen.add(key);
    return sent;
  };
}
