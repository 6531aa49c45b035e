import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { HTTP_PATHS, type Message } from '../../spec/index.ts';
import type { NodeContext } from '../context.ts';
import { requireAdmin } from '../http/admin-auth.ts';
import type { Route } from '../http/router.ts';
import type { Lifecycle } from '../lifecycle.ts';
import type { Store } from '../store/types.ts';
import { overrideStore } from './store.ts';

/*
 * Defects in what a drain and a restart keep (issue 13: OPS-2, HLTH-3, OPS-4, FIX-5): each the plausible
 * shutdown or start-up code of a server that passes while nothing stops it.
 */

/**
 * `drain-serves-new-events`: the event handlers never look at the drain (only the handshake does), so an
 * event that arrives after the SIGTERM is processed and acked ok while the node is going away (OPS-2: new
 * events UNAVAILABLE): C14 (an event sent once the drain shows). In-flight work is still tracked and finished.
 */
export function eventsBlindToDrain(ctx: NodeContext): NodeContext {
  const lifecycle = ctx.lifecycle;
  const blind = {
    get draining() {
      return false;
    },
    track: <T>(work: () => Promise<T>) => lifecycle.track(work),
    idle: (timeoutMs: number) => lifecycle.idle(timeoutMs),
  };
  return { ...ctx, lifecycle: blind as unknown as Lifecycle };
}

/**
 * `drain-skips-in-flight`: the drain gives events a fixed grace (the reference's 250 ms for events still on the
 * wire) and then ends every session, without waiting for the events it is still working on: their acks never
 * go out (OPS-2: in-flight events finished and acked): C14 with the database slowed (--deps postgres).
 */
export const graceOnly = async (_timeoutMs: number): Promise<boolean> => true;

/**
 * `drain-exits-143`: a drain that finished exits 143 (128 + SIGTERM, what a shell reports for a process the
 * signal ended), not 0: a supervisor or orchestrator counts every deploy as a failure (OPS-2): C14.
 */
export const exitAsSignalled = (_code: 0): number => 143;

/**
 * `drain-drops-open-requests`: the drain stops the listener and destroys every open HTTP connection at
 * once (`closeAllConnections`, for a quick exit), so a request already on its way, a load balancer's
 * health probe, gets no answer (HLTH-3: answered until the process exits): C14 (a health request begun
 * before the SIGTERM).
 */
export function closeListenerAndConnections(server: Server): void {
  server.close();
  server.closeAllConnections();
}

/**
 * `fatal-thrown-in-handler`: POST /admin/fatal throws inside its request handler, where the router catches
 * it (500) and the process lives on: no exception outside any handler, no 202 (FIX-5): C21.
 */
export function fatalThrownInHandler(ctx: NodeContext, route: Route): Route {
  if (route.method !== 'POST' || route.path !== HTTP_PATHS.adminFatal) return route;
  return {
    ...route,
    async handle(req) {
      await requireAdmin(req, ctx.verifier);
      throw new Error('fatal fixture (FIX-5), thrown in the request handler');
    },
  };
}

/** What `history-cache-survives-restart` keeps in DATA_DIR: each channel's messages as this node saw them. */
const HISTORY_CACHE_FILE = 'history-cache.json';

/**
 * `history-cache-survives-restart`: channel:history served from a cache of recent messages kept in DATA_DIR
 * (warm at once after a restart), filled by the node's own reads and sends. A node its supervisor restarts
 * serves the history it had before the exception: what the other node acked meanwhile is missing, though the
 * store has it and the seq goes on (OPS-4, DUR-1 across nodes): C21 with two nodes.
 */
export function historyCacheSurvivesRestart(store: Store, dataDir: () => string): Store {
  const file = () => join(dataDir(), HISTORY_CACHE_FILE);
  let cache: Record<string, Message[]> | undefined;
  const load = (): Record<string, Message[]> => {
    if (cache) return cache;
    try {
      cache = JSON.parse(readFileSync(file(), 'utf8')) as Record<string, Message[]>;
    } catch {
      cache = {};
    }
    return cache;
  };
  const keep = (channelId: string, messages: Message[]) => {
    const all = load();
    const bySeq = new Map([...(all[channelId] ?? []), ...messages].map((m) => [m.seq, m]));
    all[channelId] = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    mkdirSync(dataDir(), { recursive: true });
    writeFileSync(file(), JSON.stringify(all));
  };
  return overrideStore(store, {
    async insertMessage(msg) {
      const stored = await store.insertMessage(msg);
      keep(stored.message.channelId, [stored.message]);
      return stored;
    },
    async history(channelId, beforeSeq, limit) {
      const cached = load()[channelId];
      if (cached) return cached.filter((m) => beforeSeq === undefined || m.seq < beforeSeq).slice(-limit);
      const page = await store.history(channelId, beforeSeq, limit);
      keep(channelId, page);
      return page;
    },
  });
}
