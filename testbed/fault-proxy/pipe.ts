import type { Socket } from 'node:net';
import type { Chunk, Stage } from './toxics/stage.ts';

/** A toxic's place in one direction of one connection; `stage` is null where toxicity rolled "unaffected". */
export interface PipeEntry {
  name: string;
  stage: Stage | null;
  interrupt: AbortController;
}

// Stop reading from the source past this much queued data, so a slow toxic cannot balloon memory.
const HIGH_WATER_BYTES = 1 << 20;

/**
 * One direction of a proxied connection: reads from `source`, runs each chunk through the toxics in
 * order, one chunk at a time, and writes it to `dest`. Ends (once) when the source ends or a toxic closes it.
 */
export class Pipe {
  readonly entries: PipeEntry[] = [];
  private queue: Chunk[] = [];
  private queuedBytes = 0;
  private ended = false;
  private pumping = false;
  private done = false;

  constructor(
    private readonly source: Socket,
    private readonly dest: Socket,
    private readonly onDone: () => void,
  ) {
    source.on('data', (data: Buffer) => this.push(data));
    // A FIN, an error or a close all end this direction; what is already queued still flows out.
    source.on('end', () => this.finish());
    source.on('close', () => this.finish());
  }

  get finished(): boolean {
    return this.done;
  }

  /** No more input: flush what is queued, then end. */
  finish(): void {
    if (this.ended) return;
    this.ended = true;
    void this.pump();
  }

  /** A toxic closed the link: drop queued input and end as soon as the current chunk is through. */
  close(): void {
    this.queue = [];
    this.queuedBytes = 0;
    this.source.pause();
    this.finish();
  }

  /** Stops at once without flushing (proxy disabled, connection reset). */
  abort(): void {
    this.queue = [];
    this.ended = true;
    this.done = true;
  }

  private push(data: Buffer): void {
    if (this.ended) return;
    this.queue.push({ data, at: performance.now() });
    this.queuedBytes += data.length;
    if (this.queuedBytes > HIGH_WATER_BYTES) this.source.pause();
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.done) {
        const chunk = this.queue.shift();
        if (chunk) {
          this.queuedBytes -= chunk.data.length;
          if (this.queuedBytes <= HIGH_WATER_BYTES / 2 && !this.ended) this.source.resume();
          await this.run(this.entries.slice(), 0, chunk);
        } else if (this.ended) {
          await this.runEnd();
          break;
        } else {
          break;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private async run(entries: PipeEntry[], index: number, chunk: Chunk): Promise<void> {
    if (this.done) return;
    const entry = entries[index];
    if (!entry) return this.write(chunk);
    if (!entry.stage) return this.run(entries, index + 1, chunk);
    await entry.stage.onChunk(chunk, (next) => this.run(entries, index + 1, next), entry.interrupt.signal);
  }

  private async runEnd(): Promise<void> {
    for (const entry of this.entries.slice()) {
      if (this.done) return;
      await entry.stage?.onEnd?.(entry.interrupt.signal);
    }
    if (this.done) return;
    this.done = true;
    this.onDone();
  }

  private write(chunk: Chunk): Promise<void> {
    if (this.dest.destroyed || this.dest.writableEnded) return Promise.resolve();
    if (this.dest.write(chunk.data)) return Promise.resolve();
    // Honour the destination's backpressure; a closed destination releases the wait too.
    return new Promise((resolve) => {
      const release = (): void => {
        this.dest.off('drain', release);
        this.dest.off('close', release);
        resolve();
      };
      this.dest.once('drain', release);
      this.dest.once('close', release);
    });
  }
}
