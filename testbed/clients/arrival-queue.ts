/**
 * Everything that arrives on a connection is appended here the moment it arrives, and a check
 * takes what it waits for out of it. Nothing is lost between two awaits: an item that arrived
 * before anyone waited for it is still in the queue (unlike one-shot listeners, which miss
 * frames delivered in the same read).
 */
export type Match<T> = (item: T) => boolean;

interface Waiter<T> {
  match: Match<T>;
  resolve: (item: T | undefined) => void;
  timer: NodeJS.Timeout;
}

export class ArrivalQueue<T> {
  private readonly items: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private ended = false;

  push(item: T): void {
    const i = this.waiters.findIndex((w) => w.match(item));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      clearTimeout(w!.timer);
      w!.resolve(item);
      return;
    }
    this.items.push(item);
  }

  /** No more items will come: pending and future waits end at once with undefined. */
  end(): void {
    this.ended = true;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve(undefined);
    }
  }

  /** Removes and returns the first queued item that matches, waiting up to timeoutMs; undefined on timeout or end. */
  take(match: Match<T>, timeoutMs: number): Promise<T | undefined> {
    const i = this.items.findIndex(match);
    if (i >= 0) return Promise.resolve(this.items.splice(i, 1)[0]);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter: Waiter<T> = {
        match,
        resolve,
        timer: setTimeout(() => {
          const at = this.waiters.indexOf(waiter);
          if (at >= 0) this.waiters.splice(at, 1);
          resolve(undefined);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** The queued items that match, in arrival order, left in the queue. */
  peek(match: Match<T>): T[] {
    return this.items.filter(match);
  }

  /** Removes every queued item that matches and returns them. */
  drain(match: Match<T>): T[] {
    const out: T[] = [];
    for (let i = this.items.length - 1; i >= 0; i--) if (match(this.items[i]!)) out.unshift(...this.items.splice(i, 1));
    return out;
  }
}
