import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDelivery, type ReceiverLog } from '../scenarios/dependencies/delivery-check.ts';

/** Messages made in order on two nodes, and a receiver on each node that got them all live in that order. */
const made = fc
  .array(fc.constantFrom('node-1', 'node-2'), { minLength: 2, maxLength: 40 })
  .map((nodes) => nodes.map((node, i) => ({ id: `m${i}`, node })));

function inOrderReceivers(msgs: ReadonlyArray<{ id: string; node: string }>): ReceiverLog[] {
  return ['node-1', 'node-2'].map((node) => ({ name: `r-${node}`, node, arrivals: msgs.map((m) => m.id), disconnected: false }));
}

describe('checkDelivery (pure): every connected client gets every acked message, each node\'s in the order it made them', () => {
  it('passes receivers that got everything in order, repeats allowed after the first arrival', () => {
    fc.assert(
      fc.property(made, fc.array(fc.nat(), { maxLength: 5 }), (msgs, repeatAt) => {
        const receivers = inOrderReceivers(msgs).map((r) => {
          const arrivals = [...r.arrivals];
          for (const at of repeatAt) arrivals.push(arrivals[at % msgs.length]!); // at-least-once: sent again later
          return { ...r, arrivals };
        });
        const v = checkDelivery(msgs, receivers);
        expect(v.missing).toEqual([]);
        expect(v.outOfOrder).toEqual([]);
        expect(v.repeats).toBe(receivers.length * repeatAt.length);
      }),
    );
  });

  it('passes held messages that arrive late, after the other node\'s, as long as their own order holds', () => {
    fc.assert(
      fc.property(made, (msgs) => {
        // node-2's receiver gets node-1's messages only after all of its own (held while Redis was down, then flushed).
        const late = [...msgs.filter((m) => m.node === 'node-2'), ...msgs.filter((m) => m.node === 'node-1')].map((m) => m.id);
        const receivers = inOrderReceivers(msgs).map((r) => (r.node === 'node-2' ? { ...r, arrivals: late } : r));
        expect(checkDelivery(msgs, receivers).outOfOrder).toEqual([]);
      }),
    );
  });

  it('names a receiver that misses a message, and leaves out one whose connection dropped', () => {
    fc.assert(
      fc.property(made, fc.nat(), (msgs, pick) => {
        const lostId = msgs[pick % msgs.length]!.id;
        const [r1, r2] = inOrderReceivers(msgs);
        const dropped = { ...r1!, name: 'dropped', arrivals: [], disconnected: true };
        const v = checkDelivery(msgs, [r1!, { ...r2!, arrivals: r2!.arrivals.filter((id) => id !== lostId) }, dropped]);
        expect(v.missing).toEqual([{ receiver: 'r-node-2', count: 1, firstIds: [lostId] }]);
        expect(v.excluded).toBe(1);
        expect(v.receivers).toBe(2);
      }),
    );
  });

  it('catches two messages of one node swapped at a client of the other node', () => {
    fc.assert(
      fc.property(made, fc.nat(), fc.nat(), (msgs, a, b) => {
        const fromOne = msgs.filter((m) => m.node === 'node-1').map((m) => m.id);
        fc.pre(fromOne.length >= 2);
        const i = a % fromOne.length;
        const j = b % fromOne.length;
        fc.pre(i !== j);
        const swapped = msgs.map((m) => m.id).map((id) => (id === fromOne[i] ? fromOne[j]! : id === fromOne[j] ? fromOne[i]! : id));
        const receivers = inOrderReceivers(msgs).map((r) => (r.node === 'node-2' ? { ...r, arrivals: swapped } : r));
        const v = checkDelivery(msgs, receivers);
        expect(v.outOfOrder.map((x) => [x.receiver, x.origin])).toEqual([['r-node-2', 'node-1']]);
        expect(v.missing).toEqual([]);
      }),
    );
  });
});
