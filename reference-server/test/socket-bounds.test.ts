import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InFlightGate, isSlowConsumer, UnsentBytes } from '../resilience/socket-bounds.ts';

describe('InFlightGate (RATE-8)', () => {
  it('never holds more than its cap, refuses exactly when full, and is empty once every taken slot is given back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.boolean(), { maxLength: 200 }), (max, ops) => {
        const gate = new InFlightGate(max);
        let model = 0;
        for (const enter of ops) {
          if (enter) {
            const took = gate.tryEnter();
            if (took !== model < max) return false;
            if (took) model++;
          } else if (model > 0) {
            gate.leave();
            model--;
          }
          if (gate.inFlight !== model || gate.inFlight > max) return false;
        }
        for (; model > 0; model--) gate.leave();
        return gate.inFlight === 0 && gate.tryEnter();
      }),
    );
  });

  it('a stray leave never takes it below zero', () => {
    const gate = new InFlightGate(1);
    gate.leave();
    expect(gate.inFlight).toBe(0);
    expect(gate.tryEnter()).toBe(true);
    expect(gate.tryEnter()).toBe(false);
  });
});

describe('UnsentBytes (RATE-7)', () => {
  // An Engine.IO-like write buffer: packets pushed after packetCreate, replaced by a new array on flush.
  type Op = { kind: 'packet'; size: number } | { kind: 'flush' } | { kind: 'transport'; bytes: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 5_000_000 }).map((size) => ({ kind: 'packet' as const, size })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 10_000_000 }).map((bytes) => ({ kind: 'transport' as const, bytes })) },
  );

  it('equals the sum of the write buffer, the incoming packet and the transport, after any pushes and flushes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        let sizings = 0;
        const unsent = new UnsentBytes<{ size: number }>((p) => {
          sizings++;
          return p.size;
        });
        let buffer: Array<{ size: number }> = [];
        let transport = 0;
        let packets = 0;
        for (const o of ops) {
          if (o.kind === 'flush') buffer = [];
          else if (o.kind === 'transport') transport = o.bytes;
          else {
            const packet = { size: o.size };
            const got = unsent.withIncoming(buffer, packet, transport);
            const want = buffer.reduce((sum, p) => sum + p.size, 0) + packet.size + transport;
            if (got !== want) return false;
            buffer.push(packet);
            packets++;
          }
        }
        // Each packet is sized once: no rescans of a growing buffer.
        return sizings === packets;
      }),
    );
  });

  it('counts packets queued before it first looked (e.g. the CONNECT packet)', () => {
    const unsent = new UnsentBytes<number>((n) => n);
    expect(unsent.withIncoming([10, 20], 5, 100)).toBe(135);
    expect(unsent.withIncoming([10, 20, 5], 1, 0)).toBe(36);
  });
});

describe('isSlowConsumer (RATE-7)', () => {
  it('cuts exactly above the cap', () => {
    fc.assert(fc.property(fc.nat(), fc.nat(), (bytes, max) => isSlowConsumer(bytes, max) === bytes > max));
  });
});
