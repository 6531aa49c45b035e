import https from 'node:https';
import type { ManagerOptions, SocketOptions } from 'socket.io-client';
import type { TargetTls } from '../fault-proxy/target-tls.ts';

/**
 * socket.io-client options for a client that dials the fault proxy in front of an https target: an agent that
 * sends the target's name as SNI and verifies the certificate against it (engine.io passes no `servername` of
 * its own to the WebSocket, only an agent), and the target's Host header. Nothing here turns verification off;
 * the CAs are Node's (NODE_EXTRA_CA_CERTS included).
 */
export function targetTlsOptions(tls: TargetTls | undefined): Partial<ManagerOptions & SocketOptions> {
  if (!tls) return {};
  const agent = new https.Agent({ checkServerIdentity: tls.checkServerIdentity, ...(tls.servername !== undefined ? { servername: tls.servername } : {}) });
  // engine.io-client types `agent` as string | boolean (the browser's); in Node it is handed to `ws` as the https agent.
  return { agent: agent as unknown as string, extraHeaders: { host: tls.host } };
}
