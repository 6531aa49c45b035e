/**
 * Per-socket bounds (RATE-7, RATE-8): pure bookkeeping, no I/O. The session code feeds them what
 * Engine.IO and the websocket report and acts on their answers.
 */

/**
 * Events of one socket received and not yet answered (RATE-8). A socket at the cap has further
 * events refused at once, so one client's burst cannot queue work ahead of every other user.
 */
export class InFlightGate {
  private held = 0;

  constructor(readonly max: number) {}

  get inFlight(): number {
    return this.held;
  }

  /** Takes a slot when one is free; false means the event must be refused without doing its work. */
  tryEnter(): boolean {
    if (this.held >= this.max) return false;
    this.held++;
    return true;
  }

  /** Gives back a slot taken by tryEnter (once per answered event). */
  leave(): void {
    if (this.held > 0) this.held--;
  }
}

/**
 * The bytes a socket has queued and not yet handed to the kernel (RATE-7): Engine.IO's write
 * buffer (an array it replaces with a new one each time it flushes to the transport) plus what the
 * transport still holds. Counting the write buffer incrementally keeps each packet O(1) even when
 * thousands of small packets pile up behind a reader that stopped.
 */
export class UnsentBytes<P> {
  private buffer: readonly P[] | undefined;
  private counted = 0;
  private bytes = 0;
  /** The last incoming packet and its size: it is in the buffer next time, and sizing a big one twice is waste. */
  private last: { packet: P; size: number } | undefined;

  constructor(private readonly sizeOf: (packet: P) => number) {}

  /**
   * The unsent bytes once `incoming` joins `buffer`: the write buffer as it is now (before the
   * push), the new packet, and what the transport holds (`transportBytes`).
   */
  withIncoming(buffer: readonly P[], incoming: P, transportBytes: number): number {
    if (buffer !== this.buffer) {
      // Flushed: the buffer is a new array; start counting it afresh.
      this.buffer = buffer;
      this.counted = 0;
      this.bytes = 0;
    }
    for (; this.counted < buffer.length; this.counted++) {
      const packet = buffer[this.counted]!;
      this.bytes += this.last?.packet === packet ? this.last.size : this.sizeOf(packet);
    }
    this.last = { packet: incoming, size: this.sizeOf(incoming) };
    return this.bytes + this.last.size + transportBytes;
  }
}

/** RATE-7's decision: over the cap, the socket is a slow consumer and is cut. */
export function isSlowConsumer(unsentBytes: number, maxBytes: number): boolean {
  return unsentBytes > maxBytes;
}
