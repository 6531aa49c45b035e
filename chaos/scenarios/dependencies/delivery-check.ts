/**
 * Cross-node delivery under a dependency fault (NODE-1, DEG-1, DEG-2), judged from what each client received.
 * Pure: the dependency scenarios feed it the `message:new` arrivals of every client and the acked messages.
 *
 * - Every receiver that stayed connected gets every acked message of its channel, whatever node sent it
 *   (at-least-once: repeats are allowed and counted, only the first arrival counts).
 * - Order as made: a node's own clients receive its broadcasts at once, in the order the node made them
 *   (local delivery). Clients on another node must receive that node's messages in the same relative order,
 *   held ones flushed in order after the heal (DEG-2).
 */

export interface ReceiverLog {
  name: string;
  /** The node the client is connected to. */
  node: string;
  /** Message ids in the order they arrived (repeats included). */
  arrivals: readonly string[];
  /** The client lost its connection during the run: live delivery is not owed to it (it reads history). */
  disconnected: boolean;
}

export interface DeliveryVerdict {
  /** Receivers judged (connected throughout). */
  receivers: number;
  /** Receivers left out because their connection dropped. */
  excluded: number;
  /** Per receiver, acked messages it never received. */
  missing: Array<{ receiver: string; count: number; firstIds: string[] }>;
  /** Per receiver and origin node, messages received out of the order that node made them in. */
  outOfOrder: Array<{ receiver: string; origin: string; count: number; example: string }>;
  /** Arrivals of a message already received (allowed: delivery across a fault is at-least-once). */
  repeats: number;
}

/**
 * `acked`: the acked messages with the node their author was connected to. The order a node made its
 * messages in is read from the first of its own receivers that stayed connected.
 */
export function checkDelivery(acked: ReadonlyArray<{ id: string; node: string }>, receivers: readonly ReceiverLog[]): DeliveryVerdict {
  const judged = receivers.filter((r) => !r.disconnected);
  const originOf = new Map(acked.map((m) => [m.id, m.node]));
  const firstArrivals = new Map<ReceiverLog, string[]>();
  let repeats = 0;
  for (const r of judged) {
    const seen = new Set<string>();
    const firsts: string[] = [];
    for (const id of r.arrivals) {
      if (seen.has(id)) repeats++;
      else {
        seen.add(id);
        firsts.push(id);
      }
    }
    firstArrivals.set(r, firsts);
  }

  const missing: DeliveryVerdict['missing'] = [];
  for (const r of judged) {
    const got = new Set(firstArrivals.get(r));
    const lacking = acked.filter((m) => !got.has(m.id)).map((m) => m.id);
    if (lacking.length > 0) missing.push({ receiver: r.name, count: lacking.length, firstIds: lacking.slice(0, 3) });
  }

  // The order each node made its messages in, as its own first connected receiver saw them.
  const madeOrder = new Map<string, Map<string, number>>();
  for (const r of judged) {
    if (madeOrder.has(r.node)) continue;
    const own = firstArrivals.get(r)!.filter((id) => originOf.get(id) === r.node);
    madeOrder.set(r.node, new Map(own.map((id, i) => [id, i])));
  }
  const outOfOrder: DeliveryVerdict['outOfOrder'] = [];
  for (const r of judged) {
    for (const [origin, order] of madeOrder) {
      if (origin === r.node) continue;
      let last = -1;
      let lastId = '';
      let count = 0;
      let example = '';
      for (const id of firstArrivals.get(r)!) {
        const at = order.get(id);
        if (at === undefined) continue;
        if (at < last) {
          count++;
          if (!example) example = `${id} after ${lastId}`;
        } else {
          last = at;
          lastId = id;
        }
      }
      if (count > 0) outOfOrder.push({ receiver: r.name, origin, count, example });
    }
  }
  return { receivers: judged.length, excluded: receivers.length - judged.length, missing, outOfOrder, repeats };
}
