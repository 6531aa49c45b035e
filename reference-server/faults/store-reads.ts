import { HISTORY_MAX_LIMIT } from '../../spec/index.ts';
import type { Store } from '../store/types.ts';
import { overrideStore } from './store.ts';

/*
 * Defects in what the store's reads answer (HIST-1, AUTH-6): each an off-by-direction or a field
 * dropped that the data still looks plausible with.
 */

/** `history-oldest-first`: channel:history answers the oldest `limit` messages before `beforeSeq`, not the newest (HIST-1): S04. */
export function historyOldestFirst(store: Store): Store {
  return overrideStore(store, {
    async history(channelId, beforeSeq, limit) {
      const page = await store.history(channelId, beforeSeq, HISTORY_MAX_LIMIT);
      return page.slice(0, limit);
    },
  });
}

/** `ban-retry-after-missing`: a temporary ban is reported without its end, so its refusal carries no retryAfterMs (AUTH-6): C17. */
export function banWithoutEnd(store: Store): Store {
  return overrideStore(store, {
    async activeBan(userId, now) {
      const ban = await store.activeBan(userId, now);
      return ban && { ...ban, until: null };
    },
  });
}
