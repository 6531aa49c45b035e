import { encodeHtml } from '../../spec/index.ts';
import type { Store } from '../store/types.ts';
import type { SocketHook } from './index.ts';
import { withMessageHtml } from './store.ts';

/*
 * Defects in what a client is answered and shown (ACK-1, TEXT-5, TRN-6, SES-2), each a feature or a
 * shortcut a chat server plausibly adds.
 */

/**
 * `acks-answered-twice`: every acknowledgement goes out twice, as an answer layer that replies from
 * its result and again from a `finally` does (ACK-1: exactly once): P05. Socket.IO guards its own
 * callbacks against a second call, so the hook repeats the ACK packet on the wire.
 */
export const acksAnsweredTwice: SocketHook = (_ctx, socket) => {
  const repeating = new Set<string>();
  socket.conn.on('packetCreate', (packet: { type: string; data?: unknown }) => {
    if (packet.type !== 'message' || typeof packet.data !== 'string' || !packet.data.startsWith('3')) return;
    const data = packet.data;
    if (repeating.delete(data)) return;
    repeating.add(data);
    setImmediate(() => {
      if (socket.connected) socket.conn.write(data);
      else repeating.delete(data);
    });
  });
};

const URL_IN_TEXT = /https?:\/\/[^\s<>&"']+/g;

/**
 * `urls-linked`: a message's `html` turns the URLs of its text into links, as a "linkify" feature
 * does (TEXT-5: the server never links user text; the client decides what to make of it): C15.
 */
export function urlsLinked(store: Store): Store {
  return withMessageHtml(store, (text) => encodeHtml(text).replace(URL_IN_TEXT, (url) => `<a href="${url}" rel="nofollow">${url}</a>`));
}

/**
 * `idle-sockets-closed`: a socket that sends no event for two ping intervals is disconnected, as an
 * idle timeout that counts events and not heartbeats does (TRN-6: no application idle limit): C22.
 */
export const idleSocketsClosed: SocketHook = (ctx, socket) => {
  const idleMs = 2 * ctx.config.transport.pingIntervalMs;
  let timer = setTimeout(() => socket.disconnect(true), idleMs);
  socket.onAny(() => {
    clearTimeout(timer);
    timer = setTimeout(() => socket.disconnect(true), idleMs);
  });
  socket.on('disconnect', () => clearTimeout(timer));
};

/**
 * `state-kept-for-sweep`: a socket's entry in its user's socket set outlives its disconnect (a
 * "last seen" handler writes it back), so the periodic sweep (SES-3) finds it and counts it: the
 * gauges come back only with the sweep, not at the disconnect SES-2 names: C05.
 */
export const stateKeptForSweep: SocketHook = (ctx, socket) => {
  const { userId } = socket.data.identity;
  socket.on('disconnect', () => void ctx.sessions.add(userId, socket.id));
};
