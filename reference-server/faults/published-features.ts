import type { Server, ServerOptions } from 'socket.io';
import { HTTP_PATHS, type SpecDocument } from '../../spec/index.ts';
import type { Route } from '../http/router.ts';

/*
 * Defects where what a node publishes (GET /spec, GET /metrics, its handshake answers) and what it
 * does part ways (TRN-1, TRN-7, RATE-5, SES-4, MET-3): each a setting changed in one place and not
 * in the other.
 */

/** GET /spec with its document passed through `change`; any other route as it is. */
export function specChanged(route: Route, change: (doc: SpecDocument) => SpecDocument): Route {
  if (route.method !== 'GET' || route.path !== HTTP_PATHS.spec) return route;
  return {
    ...route,
    async handle(req) {
      const reply = await route.handle(req);
      return 'json' in reply && reply.status === 200 ? { ...reply, json: change(reply.json as SpecDocument) } : reply;
    },
  };
}

/** Where `socket-io-path-moved` serves Socket.IO: under a prefix, as behind a reverse proxy's path. */
export const MOVED_SOCKET_IO_PATH = '/chat/socket.io';

/** `socket-io-path-moved`: Socket.IO served, and published, at /chat/socket.io (TRN-1: at /socket.io): P01. */
export function socketIoPathMoved(options: Partial<ServerOptions>): Partial<ServerOptions> {
  return { ...options, path: MOVED_SOCKET_IO_PATH };
}

export function pathMovedInSpec(doc: SpecDocument): SpecDocument {
  return { ...doc, transport: { ...doc.transport, path: MOVED_SOCKET_IO_PATH } };
}

/**
 * `cors-open-by-default`: without ALLOWED_ORIGINS every origin is let read the answers
 * (`Access-Control-Allow-Origin: *`), as a development default left on does (TRN-7: no CORS
 * headers then): S19. With ALLOWED_ORIGINS the configured list applies as in the clean build.
 */
export function corsOpenByDefault(options: Partial<ServerOptions>): Partial<ServerOptions> {
  return options.cors ? options : { ...options, cors: { origin: '*' } };
}

/**
 * `history-limit-unpublished`: channel:history is limited as configured, but GET /spec publishes only
 * RATE-1's table, as a server that added the limit later does (RATE-5: a limit beyond the table is
 * published in it): C09.
 */
export function historyLimitUnpublished(doc: SpecDocument): SpecDocument {
  const { 'channel:history': _unpublished, ...rest } = doc.limits.rateLimits;
  return { ...doc, limits: { ...doc.limits, rateLimits: rest as SpecDocument['limits']['rateLimits'] } };
}

/** `recovery-not-offered`: GET /spec says connectionStateRecovery while Socket.IO runs without it (SES-4): P06. */
export function recoveryNotOffered(options: Partial<ServerOptions>): Partial<ServerOptions> {
  const { connectionStateRecovery: _off, ...rest } = options;
  return rest;
}

/** `recovery-unpublished`: recovery offered (the CONNECT carries a pid) but GET /spec does not say so (SES-4): P06. */
export function recoveryUnpublished(doc: SpecDocument): SpecDocument {
  return { ...doc, features: { ...doc.features, connectionStateRecovery: false } };
}

/**
 * `prometheus-without-process-metrics`: GET /metrics serves the chat's counters only, as a registry
 * made without the default collectors does (MET-3: process metrics included): S20.
 */
export function prometheusWithoutProcessMetrics(route: Route): Route {
  if (route.method !== 'GET' || route.path !== HTTP_PATHS.prometheus) return route;
  return {
    ...route,
    async handle(req) {
      const reply = await route.handle(req);
      if (!('text' in reply)) return reply;
      const kept = reply.text.split('\n').filter((line) => !/^(# (HELP|TYPE) )?sockproof_(process|nodejs)_/.test(line));
      return { ...reply, text: kept.join('\n') };
    },
  };
}

/**
 * `any-namespace-accepted`: every namespace connects, as a multi-tenant server's parent namespace
 * (`io.of(/^\/.+$/)`) makes them (TRN-1: the chat is namespace `/`; another is refused): P04.
 */
export function acceptAnyNamespace(io: Pick<Server, 'of'>): void {
  io.of(/^\/.+$/);
}
