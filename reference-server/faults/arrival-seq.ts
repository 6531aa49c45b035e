import type { ChatSocket, NodeContext } from '../context.ts';

/**
 * `arrival-order-seq`: each node numbers the `message:new` it sends its sockets by the order messages reach
 * it (its own count per channel, from 1 at start-up) instead of the stored seq. On one node that broadcasts
 * every message in order the numbers happen to match; across nodes a message relayed late, one stored by an
 * attempt whose answer was lost (never broadcast), or a restart of the node make clients on different nodes
 * place messages differently. Acks, history and delivery by id stay right: the chaos cross-node-order
 * checker is the one that sees it. Changed on the way out, as `ban-reason-dropped` does (events.ts).
 */
const arrivals = new WeakMap<NodeContext, { next: Map<string, number>; seqOf: Map<string, number> }>();

export function numberByArrival(ctx: NodeContext, socket: ChatSocket): void {
  let node = arrivals.get(ctx);
  if (!node) arrivals.set(ctx, (node = { next: new Map(), seqOf: new Map() }));
  const { next, seqOf } = node;
  socket.conn.on('packetCreate', (packet: { type: string; data?: unknown; options?: { wsPreEncodedFrame?: unknown } }) => {
    if (packet.type !== 'message' || typeof packet.data !== 'string' || !packet.data.startsWith('2["message:new"')) return;
    const args = JSON.parse(packet.data.slice(1)) as [string, { id?: unknown; channelId?: unknown; seq?: unknown }];
    const msg = args[1];
    if (typeof msg?.id !== 'string' || typeof msg.channelId !== 'string') return;
    let seq = seqOf.get(msg.id);
    if (seq === undefined) {
      seq = (next.get(msg.channelId) ?? 0) + 1;
      next.set(msg.channelId, seq);
      seqOf.set(msg.id, seq);
    }
    msg.seq = seq;
    packet.data = `2${JSON.stringify(args)}`;
    if (packet.options) delete packet.options.wsPreEncodedFrame;
  });
}
