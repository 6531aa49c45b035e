import type { Message } from '../../../events.ts';
import { describeAck } from '../../ack.ts';
import type { CheckContext } from '../../context.ts';
import type { WireConnection } from '../../wire/connection.ts';
import { lostOrChanged } from '../recovery/history.ts';
import { msgKey } from '../scene.ts';

/** How long a message may take to cross between nodes (C06's bound). */
const CROSS_MS = 5_000;
/** Sends made on the other node while the supervised node is down: enough to see the deployment serve on, bounded. */
export const MAX_SENDS_WHILE_DOWN = 3;

const idOf = (m: unknown) => (m as { id?: unknown } | undefined)?.id;

/**
 * C21 on a multi-node deployment: a user connected to another node of it (the run's peer), in the channel
 * of the node under its supervisor. A team runs several nodes behind a load balancer, so what a fatal
 * exit of one must not do is what this user sees: while the node is down this user's sends are acked
 * (never UNAVAILABLE: the deployment serves on); once it is back, what was acked here meanwhile is in the
 * history the restarted node reads, the seq continues across nodes, and messages cross both ways again
 * (the restarted node rejoined the cross-node adapter, NODE-1).
 */
export class OtherNodeUser {
  /** Messages this user had acked while the supervised node's health was unreachable. */
  readonly sentWhileDown: Message[] = [];
  /** Sends tried while it was down, acked or not. */
  triedWhileDown = 0;

  private constructor(
    private readonly ctx: CheckContext,
    readonly url: string,
    readonly conn: WireConnection,
    private readonly channelId: string,
  ) {}

  static async join(ctx: CheckContext, url: string, channelId: string): Promise<OtherNodeUser> {
    const user = await ctx.user('other-node');
    const conn = await ctx.connectAs('user on the other node', user, { url });
    await ctx.ok(conn, 'channel:join', { channelId }, 'channel:join on the other node');
    return new OtherNodeUser(ctx, url, conn, channelId);
  }

  /** Before the fatal exit: a send on the supervised node reaches this user, so the node had joined the deployment. */
  async sawBefore(sent: Message): Promise<void> {
    const got = await this.conn.nextEvent('message:new', CROSS_MS, (m) => idOf(m) === sent.id);
    this.ctx.expect(
      got !== undefined,
      'before the exception, a message sent on the supervised node reaches the user on the other node (the node joined the deployment)',
      got ? 'arrived' : `nothing within ${CROSS_MS} ms`,
    );
  }

  /** One send while the supervised node is down: acked ok on the other node (NODE-1: the deployment serves on). */
  async sendWhileDown(): Promise<void> {
    const n = ++this.triedWhileDown;
    const reading = await this.ctx.call(this.conn, 'message:send', [{ channelId: this.channelId, text: `acked on the other node during the outage (${n})`, clientMsgId: msgKey(this.ctx) }]);
    this.ctx.expect(
      reading.kind === 'ok',
      `send ${n} on the other node while the supervised node is down acked ok (no UNAVAILABLE: the other node keeps serving its users)`,
      describeAck(reading),
    );
    if (reading.kind === 'ok') this.sentWhileDown.push(reading.data as Message);
  }

  /** Notes how many sends the outage saw (the first poll after the exit sends one: a restart cannot be quicker). */
  noteOutage(): void {
    this.ctx.recorder.note(
      this.sentWhileDown.length > 0
        ? `${this.sentWhileDown.length} of ${this.triedWhileDown} message(s) acked on the other node while the supervised node's health was unreachable, seq ${this.sentWhileDown.map((m) => m.seq).join(', ')}`
        : this.triedWhileDown > 0
          ? `none of ${this.triedWhileDown} sends on the other node acked while the supervised node's health was unreachable`
          : 'no send on the other node fell in the outage: the supervised node answered again before the first poll',
    );
  }

  /**
   * After the restart, read through `after` (a socket on the restarted node) with the history it read:
   * the outage's messages are there, the seq went on across nodes, and messages cross both ways.
   */
  async sawRejoin(after: WireConnection, history: readonly Message[], ackedBefore: readonly Message[], next: Message): Promise<void> {
    const { ctx } = this;
    ctx.expect(this.conn.isOpen, "the other node's user stayed connected through the outage", this.conn.closeState);
    const missing = lostOrChanged(this.sentWhileDown, history);
    ctx.expect(
      missing.length === 0,
      'every message acked on the other node during the outage is in the history read from the restarted node, once and unchanged (DUR-1 across nodes)',
      missing.length ? missing.join('; ') : `all ${this.sentWhileDown.length} there`,
    );
    const seqs = [...ackedBefore, ...this.sentWhileDown, next].map((m) => m.seq);
    ctx.expect(
      seqs.every((s, i) => i === 0 || s > seqs[i - 1]!),
      'the channel seq continues across nodes: before the exception (supervised node) < during the outage (other node) < after the restart (restarted node)',
      `seq ${seqs.join(', ')}`,
    );

    // Both ways at once: each waits up to CROSS_MS.
    const sent = await ctx.ok(this.conn, 'message:send', { channelId: this.channelId, text: 'sent on the other node after the restart', clientMsgId: msgKey(ctx) }, 'a send on the other node after the restart');
    const [crossedOut, crossedIn] = await Promise.all([
      this.conn.nextEvent('message:new', CROSS_MS, (m) => idOf(m) === next.id),
      after.nextEvent('message:new', CROSS_MS, (m) => idOf(m) === sent.id),
    ]);
    ctx.expect(crossedOut !== undefined, 'a message sent on the restarted node reaches the user on the other node (it rejoined the cross-node adapter)', crossedOut ? 'arrived' : `nothing within ${CROSS_MS} ms`);
    ctx.expect(
      crossedIn !== undefined,
      'a client on the restarted node receives a message sent on the other node (cross-node delivery works again, NODE-1)',
      crossedIn ? 'arrived' : `nothing within ${CROSS_MS} ms: the restarted node serves its own sockets only`,
    );
  }
}
