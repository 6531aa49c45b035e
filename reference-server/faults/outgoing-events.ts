import type { ChatSocket } from '../context.ts';
import type { SocketHook } from './index.ts';

/**
 * Renames an event on its way to one socket when `withhold` says so: the frame still goes out, as
 * another event no client listens to, so what the client sees is the event not sent. Socket.IO
 * broadcasts cannot skip one socket from outside the emitting code; this hook can.
 */
export function withholdEvent(socket: ChatSocket, event: string, withhold: (args: unknown[]) => boolean): void {
  const prefix = `2${JSON.stringify([event]).slice(0, -1)},`;
  socket.conn.on('packetCreate', (packet: { type: string; data?: unknown; options?: { wsPreEncodedFrame?: unknown } }) => {
    if (packet.type !== 'message' || typeof packet.data !== 'string' || !packet.data.startsWith(prefix)) return;
    const [, ...args] = JSON.parse(packet.data.slice(1)) as [string, ...unknown[]];
    if (!withhold(args)) return;
    packet.data = `2${JSON.stringify([`${event} (withheld by a fault)`, ...args])}`;
    // A broadcast carries its WebSocket frame pre-encoded for every socket; this one must be framed anew.
    if (packet.options) delete packet.options.wsPreEncodedFrame;
  });
}

/** `sessions-end-silently`: the server ends sockets (ban, expiry, shutdown) without `session:ended` first (SES-1): S09, S08, C14. */
export const endSessionsSilently: SocketHook = (_ctx, socket) => withholdEvent(socket, 'session:ended', () => true);

/**
 * `message-not-echoed`: `message:new` skips its author's sockets, as `socket.to(room)` does where MSG-2
 * asks for `io.to(room)`, so the sender never sees its message in the timeline: S02.
 */
export const skipAuthorEcho: SocketHook = (_ctx, socket) =>
  withholdEvent(socket, 'message:new', (args) => (args[0] as { authorId?: unknown } | undefined)?.authorId === socket.data.identity.userId);

/** `edit-not-broadcast`: an edit is stored and acked but `message:updated` never reaches the channel (MSG-7): S05. */
export const editNotBroadcast: SocketHook = (_ctx, socket) => withholdEvent(socket, 'message:updated', () => true);

/**
 * `disconnect-when-limited`: a socket answered RATE_LIMITED is disconnected once the answer is out, as
 * "cut off abusers" does (RATE-2: the socket stays connected): C04.
 */
export const disconnectWhenLimited: SocketHook = (_ctx, socket) => {
  socket.conn.on('packetCreate', (packet: { type: string; data?: unknown }) => {
    // A Socket.IO ACK packet is "3", its id, then the JSON answer.
    if (packet.type === 'message' && typeof packet.data === 'string' && /^3\d/.test(packet.data) && packet.data.includes('"RATE_LIMITED"')) {
      setTimeout(() => socket.disconnect(true), 50);
    }
  });
};

/**
 * `offline-never-published`: a user's last disconnect publishes no `offline`, as a server that sets
 * presence only on presence:update does (PRES-2: the last disconnect publishes offline): C11. The
 * `offline` that stands for a user who set `invisible` (PRES-2) still goes out: the hook remembers
 * who did, on this node, from their own presence:update events.
 */
export function offlineNeverPublished(): SocketHook {
  const invisible = new Set<string>();
  return (_ctx, socket) => {
    socket.on('presence:update', (payload: unknown) => {
      const status = (payload as { status?: unknown } | undefined)?.status;
      if (status === 'invisible') invisible.add(socket.data.identity.userId);
      else if (typeof status === 'string') invisible.delete(socket.data.identity.userId);
    });
    withholdEvent(socket, 'presence', (args) => {
      const e = args[0] as { userId?: unknown; status?: unknown } | undefined;
      return e?.status === 'offline' && !invisible.has(String(e.userId));
    });
  };
}
