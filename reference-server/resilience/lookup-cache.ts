/**
 * Answers remembered for when their source is unreachable (DEG-4): bounded (least recently written
 * dropped first) and served only while younger than `ttlMs`. Pure: time is passed in.
 */
export class LookupCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();

  constructor(
    private readonly max: number,
    private readonly ttlMs: number,
  ) {}

  set(key: string, value: V, now: number): void {
    if (this.max === 0) return;
    this.entries.delete(key); // re-insert so Map order is write order
    this.entries.set(key, { value, at: now });
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The remembered answer if it is young enough to serve, else undefined. */
  get(key: string, now: number): { value: V } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (now - entry.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return { value: entry.value };
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key starting with `prefix` (a channel's members when the channel is replaced). */
  deletePrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
