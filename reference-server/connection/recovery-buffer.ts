import { SessionAwareAdapter } from 'socket.io-adapter';

/**
 * The broadcasts one node holds for connection state recovery, bounded (SES-9).
 *
 * Socket.IO's in-memory session adapter keeps every broadcast of the recovery window: its memory
 * grows with the message rate (at a few thousand messages a second, hundreds of megabytes), so any
 * member sending at its rate limit grows it for everyone. This adapter keeps the latest
 * `maxPackets` only. A socket whose offset has been trimmed away is then not found by the adapter's
 * restore, and starts afresh (SES-9): a recovery never skips a broadcast.
 *
 * Trimming one packet per broadcast would move the whole array each time; it trims in blocks of an
 * eighth instead, so the node holds between `maxPackets` and 1.125 × `maxPackets` (SES-9 allows up
 * to twice the bound to a store that trims in blocks).
 */
export function boundedSessionAdapter(maxPackets: number): typeof SessionAwareAdapter {
  const block = Math.max(1, Math.ceil(maxPackets / 8));
  return class BoundedSessionAdapter extends SessionAwareAdapter {
    override broadcast(...args: Parameters<SessionAwareAdapter['broadcast']>): void {
      super.broadcast(...args);
      // The parent's field is private in its typings, an ordinary array at run time.
      const held = (this as unknown as { packets: unknown[] }).packets;
      if (held.length >= maxPackets + block) held.splice(0, held.length - maxPackets);
    }
  };
}
