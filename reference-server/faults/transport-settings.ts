import type { ServerOptions } from 'socket.io';

/**
 * `heartbeat-not-as-published`: Socket.IO runs with its own heartbeat defaults (25 000 / 20 000 ms)
 * while GET /spec publishes the configured values, as a server that forgets to pass them on does
 * (TRN-4, SPECDOC-1): C22 (the open packet's pingInterval and pingTimeout against GET /spec).
 */
export function defaultHeartbeat(options: Partial<ServerOptions>): Partial<ServerOptions> {
  return { ...options, pingInterval: 25_000, pingTimeout: 20_000 };
}

/** `connect-timeout-not-as-published`: Socket.IO's default connect timeout (45 000 ms) while GET /spec publishes the configured one (TRN-5): C22. */
export function defaultConnectTimeout(options: Partial<ServerOptions>): Partial<ServerOptions> {
  return { ...options, connectTimeout: 45_000 };
}
