import { ReplyError } from 'ioredis';
import { Outbox } from './outbox.ts';

/** The part of a Socket.IO cluster message the relay reads (socket.io-adapter's ClusterMessage). */
export interface RelayMessage {
  type: number;
  data?: unknown;
}
type Publish = (message: RelayMessage) => Promise<unknown>;

// socket.io-adapter's MessageType values the relay cares about.
const BROADCAST = 3;
const FETCH_SOCKETS = 7;
const SERVER_SIDE_EMIT = 9;

/** A send that was held for later: the adapter delivers locally and skips the recovery offset. */
export class HeldForRedis extends Error {
  override name = 'HeldForRedis';
}

/**
 * Sits between the Socket.IO cluster adapter and Redis (DEG-2). While the link is up, sends go straight
 * out. While it is down, durable sends (broadcasts, joins, leaves, disconnects) are held in a bounded
 * outbox per channel and go out in order once the link is back; request/response traffic
 * (fetchSockets, serverSideEmit, broadcasts with acks) fails at once, as its answer would be stale.
 * Nothing waits on Redis: a held send resolves the caller at once.
 */
export class CrossNodeRelay {
  private readonly outbox: Outbox<{ message: RelayMessage; publish: Publish }>;
  private flushing = false;
  private sent = 0;
  private refused = 0;

  constructor(
    maxPerChannel: number,
    private readonly linkUp: () => boolean,
    private readonly onDropped: (reason: string) => void,
  ) {
    this.outbox = new Outbox(maxPerChannel);
  }

  send(message: RelayMessage, publish: Publish): Promise<unknown> {
    if (isRequest(message)) return this.linkUp() ? publish(message) : Promise.reject(new Error('redis unavailable'));
    // Behind held sends, a new one waits its turn so that order is kept.
    if (!this.linkUp() || this.outbox.size > 0) return this.hold(message, publish);
    return publish(message).catch((err: unknown) => {
      // It may or may not have reached Redis: sending it again makes delivery at-least-once, never lost.
      void this.hold(message, publish).catch(() => {});
      throw err;
    });
  }

  /** Sends what was held, oldest first; stops when the link drops again. */
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let next = this.outbox.peek(); next && this.linkUp(); next = this.outbox.peek()) {
        try {
          await next.publish(next.message);
          this.sent++;
        } catch (err) {
          // Unreachable or timed out: keep it for the next attempt. Refused by Redis itself: retrying
          // would block the queue forever, so it is dropped and counted.
          if (!(err instanceof ReplyError)) break;
          this.refused++;
          this.onDropped('refused by redis');
        }
        this.outbox.shift();
      }
    } finally {
      this.flushing = false;
    }
  }

  private hold(message: RelayMessage, publish: Publish): Promise<never> {
    if (this.outbox.push(channelKey(message), { message, publish }) > 0) this.onDropped('buffer full');
    return Promise.reject(new HeldForRedis('held until redis is back'));
  }

  stats(): { buffered: number; dropped: number; flushed: number } {
    return { buffered: this.outbox.size, dropped: this.outbox.dropped + this.refused, flushed: this.sent };
  }
}

function isRequest(message: RelayMessage): boolean {
  if (message.type === FETCH_SOCKETS || message.type === SERVER_SIDE_EMIT) return true;
  return message.type === BROADCAST && (message.data as { requestId?: unknown } | undefined)?.requestId !== undefined;
}

/** The channel a send belongs to, for the per-channel bound: its target rooms, or `*` for the rest. */
export function channelKey(message: RelayMessage): string {
  const rooms = (message.data as { opts?: { rooms?: unknown } } | undefined)?.opts?.rooms;
  return Array.isArray(rooms) && rooms.length > 0 ? [...rooms].map(String).sort().join(',') : '*';
}
