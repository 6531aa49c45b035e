import type { ServerConfig } from '../config.ts';

/*
 * Defects in how a node starts (AUTH-2, CFG-2, CFG-4, OPS-5), each what a server written before the
 * configuration contract (SPEC 1.0.1, section 17) plausibly does. S11 starts the target's command
 * again with the variables under test.
 */

/**
 * `short-secret-accepted`: JWT_SECRET is only required to be non-empty, as in 1.0, so a node starts
 * with a guessable HS256 key (AUTH-2, CFG-4): S11 (a 31-byte secret must stop start-up). The
 * validation itself is in loadConfig; this is the option that relaxes it.
 */
export const ACCEPT_SHORT_SECRET = { acceptShortSecret: true } as const;

/**
 * `port-range-ignored`: without PORT the node asks the system for any free port instead of trying
 * SOCKETIO_PORT_START..SOCKETIO_PORT_END in turn (OPS-5, CFG-2): S11 (with the range's first port
 * taken, the node must bind the second).
 */
export function anyFreePort(where: ServerConfig['listen']): ServerConfig['listen'] {
  return 'port' in where ? where : { host: where.host, port: 0 };
}
