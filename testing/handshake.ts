import { io } from 'socket.io-client';
import { ConnectErrorData } from '../spec/index.ts';

/** How one handshake ended: connected, or refused with the spec's `connect_error` data (AUTH-7). */
export type HandshakeOutcome = { kind: 'connected' } | ({ kind: 'refused' } & ConnectErrorData);

/** One handshake over WebSocket with a token (and optional request headers), closed at once. */
export async function handshake(url: string, token: string, headers: Record<string, string> = {}): Promise<HandshakeOutcome> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 10_000, extraHeaders: headers });
  try {
    return await new Promise<HandshakeOutcome>((resolve, reject) => {
      socket.once('connect', () => resolve({ kind: 'connected' }));
      socket.once('connect_error', (err: Error & { data?: unknown }) => {
        const data = ConnectErrorData.safeParse(err.data);
        if (data.success) resolve({ kind: 'refused', ...data.data });
        else reject(err);
      });
    });
  } finally {
    socket.disconnect();
  }
}
