import type { ServerOptions } from 'socket.io';
import { AppError, errors } from '../errors.ts';
import type { Limits } from '../resilience/rate-limits.ts';

/*
 * Defects where what a node does differs from what the spec fixes or it publishes (TRN-1..4, RATE-3):
 * a transport option or a limiter's answer, each set the way a server copied from elsewhere
 * plausibly sets it.
 */

/** `eio3-accepted`: Socket.IO's `allowEIO3`, left on for old clients, so an Engine.IO 3 handshake opens a session (TRN-1): P01. */
export function eio3Accepted(options: Partial<ServerOptions>): Partial<ServerOptions> {
  return { ...options, allowEIO3: true };
}

/**
 * `buffer-size-not-as-published`: `maxHttpBufferSize` raised to 100 MB "for attachments" while GET /spec
 * publishes the configured size, so the open packet's maxPayload and the packets dropped differ from
 * the published figure (TRN-3): C22, C23.
 */
export function bufferSizeNotAsPublished(options: Partial<ServerOptions>): Partial<ServerOptions> {
  return { ...options, maxHttpBufferSize: 100_000_000 };
}

/**
 * `retry-after-full-window`: a refusal's `retryAfterMs` is the limit's whole window, not what is left of
 * it (RATE-3: the time to the window's end): C04 (a refusal well into the window).
 */
export function retryAfterFullWindow(limits: Limits): Limits {
  return {
    current: () => limits.current(),
    consume: async (name, key) => {
      try {
        await limits.consume(name, key);
      } catch (err) {
        if (err instanceof AppError && err.code === 'RATE_LIMITED') throw errors.rateLimited(limits.current()[name].durationMs);
        throw err;
      }
    },
    replace: (partial) => limits.replace(partial),
    restore: () => limits.restore(),
  };
}

/**
 * `ping-timeout-not-as-published`: Socket.IO's default pingTimeout (20 000 ms) while GET /spec publishes the
 * configured one, so a client that stopped answering pings stays connected long past interval + timeout (TRN-4): C22.
 */
export function pingTimeoutNotAsPublished(options: Partial<ServerOptions>): Partial<ServerOptions> {
  return { ...options, pingTimeout: 20_000 };
}

/** `polling-refused`: `transports: ['websocket']`, "WebSocket is all browsers need", so long-polling is refused (TRN-2): P01. */
export function pollingRefused(options: Partial<ServerOptions>): Partial<ServerOptions> {
  return { ...options, transports: ['websocket'] };
}

/** `websocket-refused`: `transports: ['polling']`, as behind a proxy that did not pass upgrades, so a direct WebSocket is refused (TRN-2): P02. */
export function websocketRefused(options: Partial<ServerOptions>): Partial<ServerOptions> {
  return { ...options, transports: ['polling'] };
}

/** `upgrades-refused`: `allowUpgrades: false`, so a polling session stays on polling and never upgrades to WebSocket (TRN-2): P03. */
export function upgradesRefused(options: Partial<ServerOptions>): Partial<ServerOptions> {
  return { ...options, allowUpgrades: false };
}

/**
 * `limit-replace-keeps-counts`: the counts live in one map keyed by limit and caller that replacing the
 * table never clears, only the points change, so calls made under a relaxed table still count once it
 * is restored (FIX-2: replacing a limit resets its state): C04 (handshakes made before the restore).
 */
export function limitReplaceKeepsCounts(limits: Limits): Limits {
  const windows = new Map<string, { endsAt: number; count: number }>();
  return {
    current: () => limits.current(),
    consume: async (name, key) => {
      await limits.consume(name, key);
      const rule = limits.current()[name];
      const id = `${name}\u0000${key}`;
      const now = Date.now();
      let w = windows.get(id);
      if (!w || w.endsAt <= now) windows.set(id, (w = { endsAt: now + rule.durationMs, count: 0 }));
      w.count++;
      if (w.count > rule.points) throw errors.rateLimited(w.endsAt - now);
    },
    replace: (partial) => limits.replace(partial),
    restore: () => limits.restore(),
  };
}
