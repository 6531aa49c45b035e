import { AppError } from '../errors.ts';
import type { Handler } from '../events/handler.ts';
import type { NodeContext } from '../context.ts';

/** How long a node once seen is still counted on: the heartbeat timeout of Socket.IO's cluster adapters. */
const SEEN_FOR_MS = 10_000;
const RETRY_AFTER_MS = 1_000;

/**
 * `send-waits-for-every-node`: a "no split brain" guard that takes one node's restart for a partition.
 * The node counts the nodes of the deployment (the cross-node adapter's serverCount) at every connection
 * and every send, remembers each count for 10 s (as a heartbeat adapter keeps a node it no longer hears
 * from), and refuses a send with UNAVAILABLE while fewer nodes are present than it saw in that time. So
 * while one node is down and its supervisor restarts it, the other nodes refuse every send their users
 * make: C21 on a multi-node run (OPS-4). On one node, or with every node up, nothing changes.
 */
export class NodesSeen {
  private counts: Array<{ atMs: number; count: number }> = [];

  /** A socket hook: counts the nodes when a socket connects. */
  readonly sample = (ctx: NodeContext): void => {
    void this.count(ctx).catch(() => undefined);
  };

  private async count(ctx: NodeContext): Promise<number> {
    const count = await ctx.io.of('/').adapter.serverCount();
    const now = Date.now();
    this.counts = [...this.counts.filter((c) => now - c.atMs <= SEEN_FOR_MS), { atMs: now, count }];
    return count;
  }

  guard(real: Handler<'message:send'>): Handler<'message:send'> {
    return async (ctx, call, payload) => {
      const present = await this.count(ctx).catch(() => 0);
      const seen = Math.max(...this.counts.map((c) => c.count));
      if (present < seen) throw new AppError('UNAVAILABLE', `${present} of the ${seen} nodes seen in the last ${SEEN_FOR_MS / 1000} s are present`, RETRY_AFTER_MS);
      return real(ctx, call, payload);
    };
  }
}
