/**
 * Cross-node sends held while Redis is unreachable (DEG-2): at most `maxPerKey` per channel, the oldest
 * dropped first, released in the order they were made. Pure: no I/O, no timers.
 */
export class Outbox<T> {
  private readonly byKey = new Map<string, number>();
  private items: { key: string; item: T }[] = [];
  private droppedCount = 0;

  constructor(private readonly maxPerKey: number) {}

  /** Holds an item; returns how many older items of the same key were dropped to make room (0 or 1). */
  push(key: string, item: T): number {
    this.items.push({ key, item });
    const count = (this.byKey.get(key) ?? 0) + 1;
    if (count <= this.maxPerKey) {
      this.byKey.set(key, count);
      return 0;
    }
    // Over the bound: drop this key's oldest entry; its count stays at the bound.
    const oldest = this.items.findIndex((e) => e.key === key);
    this.items.splice(oldest, 1);
    this.droppedCount++;
    return 1;
  }

  /** The oldest held item without removing it. */
  peek(): T | undefined {
    return this.items[0]?.item;
  }

  /** Removes the oldest held item (after it went out). */
  shift(): T | undefined {
    const first = this.items.shift();
    if (!first) return undefined;
    const left = (this.byKey.get(first.key) ?? 1) - 1;
    if (left === 0) this.byKey.delete(first.key);
    else this.byKey.set(first.key, left);
    return first.item;
  }

  get size(): number {
    return this.items.length;
  }

  get dropped(): number {
    return this.droppedCount;
  }
}
