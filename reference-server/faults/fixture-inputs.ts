import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { RELAXATION_TTL_MAX_MS, RELAXATIONS_PATH } from '../../spec/index.ts';
import type { Route } from '../http/router.ts';
import type { Store } from '../store/types.ts';
import { overrideStore } from './store.ts';

/*
 * Defects in how the fixtures take their input (CHAN-1, FIX-4): each a leniency that looks
 * harmless and changes what the caller asked for.
 */

/**
 * `channel-ids-case-folded`: channel ids are stored and looked up lower-cased, as a case-insensitive
 * unique index makes them, so `Room.A` and `room.a` are one channel (CHAN-1: ids are `ChannelId`s,
 * `A-Z` and `a-z` distinct; the fixture creates the channel it is given): S12.
 */
export function channelIdsCaseFolded(store: Store): Store {
  return overrideStore(store, {
    upsertChannel: (id, isPrivate, members) => store.upsertChannel(id.toLowerCase(), isPrivate, members),
    getChannel: (id) => store.getChannel(id.toLowerCase()),
  });
}

/**
 * `relaxation-ttl-clamped`: a relaxation's ttlMs over an hour is cut to the hour instead of refused,
 * as a "be liberal in what you accept" parser does (FIX-4: past the bounds 400 VALIDATION): C35.
 * The body is read here and handed on to the real route with the ttlMs changed.
 */
export function relaxationTtlClamped(route: Route): Route {
  if (route.method !== 'PUT' || route.path !== RELAXATIONS_PATH) return route;
  return {
    ...route,
    async handle(req) {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      let body = Buffer.concat(chunks);
      try {
        const parsed = JSON.parse(body.toString('utf8')) as { ttlMs?: unknown };
        if (typeof parsed.ttlMs === 'number' && parsed.ttlMs > RELAXATION_TTL_MAX_MS) body = Buffer.from(JSON.stringify({ ...parsed, ttlMs: RELAXATION_TTL_MAX_MS }));
      } catch {
        // Not JSON: the real route answers it.
      }
      const replay = Object.assign(Readable.from([body]), {
        headers: { ...req.headers, 'content-length': String(body.length) },
        method: req.method,
        url: req.url,
        socket: req.socket,
      });
      return route.handle(replay as unknown as IncomingMessage);
    },
  };
}
