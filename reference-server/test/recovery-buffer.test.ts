import fc from 'fast-check';
import { Server } from 'socket.io';
import { describe, expect, it } from 'vitest';
import { boundedSessionAdapter } from '../connection/recovery-buffer.ts';

/** The broadcasts a Socket.IO server's namespace holds for recovery (the adapter's own array). */
function held(io: Server): Array<{ data: unknown[] }> {
  return (io.of('/').adapter as unknown as { packets: Array<{ data: unknown[] }> }).packets;
}

describe('the recovery buffer (SES-9)', () => {
  it('holds between the bound and an eighth more, always the latest broadcasts, whatever the count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 300 }), fc.integer({ min: 0, max: 2_000 }), (maxPackets, sent) => {
        // A real Socket.IO server, never attached (nothing to close: the adapter's sweep timer is unref'd):
        // io.emit goes through the adapter's broadcast and is held.
        const io = new Server({ connectionStateRecovery: { maxDisconnectionDuration: 60_000 }, adapter: boundedSessionAdapter(maxPackets) });
        for (let i = 1; i <= sent; i++) io.emit('message:new', i);
        const packets = held(io);
        expect(packets.length).toBeLessThanOrEqual(Math.min(sent, maxPackets + Math.ceil(maxPackets / 8) - 1));
        expect(packets.length).toBeGreaterThanOrEqual(Math.min(sent, maxPackets));
        // The latest, in order, none skipped: a recovery from any offset still held has no gap.
        const numbers = packets.map((p) => p.data[1]);
        expect(numbers).toEqual(Array.from({ length: packets.length }, (_, k) => sent - packets.length + 1 + k));
      }),
      { numRuns: 40 },
    );
  });
});
