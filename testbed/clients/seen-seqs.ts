/**
 * The seqs of one channel a client has, seen in `message:new`, read from history or acked to its own sends
 * (pure): which are missing below the highest. A channel's seq is gap-free from 1 (MSG-6), so a seq missing
 * below one the client has is a message it has not got yet: a gap to fill from history.
 */
export class SeenSeqs {
  /** Every seq from 1 to this one is had. */
  private upTo = 0;
  /** Seqs had above upTo + 1 (with a gap below them). */
  private readonly above = new Set<number>();

  add(seq: number): void {
    if (!Number.isInteger(seq) || seq <= this.upTo) return;
    this.above.add(seq);
    while (this.above.delete(this.upTo + 1)) this.upTo++;
  }

  has(seq: number): boolean {
    return seq <= this.upTo || this.above.has(seq);
  }

  /** The highest seq below which every seq is had: where a read to fill the gaps starts. */
  get contiguous(): number {
    return this.upTo;
  }

  hasGap(): boolean {
    return this.above.size > 0;
  }
}
