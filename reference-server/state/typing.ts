export interface TypingEntry {
  socketId: string;
  userId: string;
  channelId: string;
}

/**
 * Typing indicators per socket and channel (TYP-1..3). An indicator ends by itself after the
 * timeout unless renewed; `onExpire` then tells the channel.
 */
export class TypingTracker {
  private readonly bySocket = new Map<string, Map<string, { entry: TypingEntry; timer: NodeJS.Timeout }>>();

  constructor(
    private readonly timeoutMs: number,
    private readonly onExpire: (entry: TypingEntry) => void,
  ) {}

  /** Starts or renews an indicator; true when it was not already on. */
  start(entry: TypingEntry): boolean {
    let channels = this.bySocket.get(entry.socketId);
    if (!channels) this.bySocket.set(entry.socketId, (channels = new Map()));
    const existing = channels.get(entry.channelId);
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      if (this.remove(entry.socketId, entry.channelId)) this.onExpire(entry);
    }, this.timeoutMs);
    timer.unref();
    channels.set(entry.channelId, { entry, timer });
    return existing === undefined;
  }

  /** Ends an indicator; returns it when it was on. */
  stop(socketId: string, channelId: string): TypingEntry | undefined {
    return this.remove(socketId, channelId);
  }

  /** Ends every indicator of a socket (disconnect). */
  dropSocket(socketId: string): TypingEntry[] {
    const channels = this.bySocket.get(socketId);
    if (!channels) return [];
    return [...channels.keys()].map((c) => this.remove(socketId, c)).filter((e): e is TypingEntry => e !== undefined);
  }

  socketIds(): IterableIterator<string> {
    return this.bySocket.keys();
  }

  get size(): number {
    let n = 0;
    for (const channels of this.bySocket.values()) n += channels.size;
    return n;
  }

  clear(): void {
    for (const socketId of [...this.bySocket.keys()]) this.dropSocket(socketId);
  }

  private remove(socketId: string, channelId: string): TypingEntry | undefined {
    const channels = this.bySocket.get(socketId);
    const slot = channels?.get(channelId);
    if (!channels || !slot) return undefined;
    clearTimeout(slot.timer);
    channels.delete(channelId);
    if (channels.size === 0) this.bySocket.delete(socketId);
    return slot.entry;
  }
}
