import type { Socket } from 'node:net';
import { Pipe, type PipeEntry } from './pipe.ts';
import type { Direction, ToxicSpec } from './toxic-spec.ts';
import { toxicKinds } from './toxics/index.ts';
import type { LinkControl } from './toxics/stage.ts';

// How long a finished link may wait for its last bytes to drain before both sockets are cut.
const FLUSH_GRACE_MS = 5_000;

/**
 * One accepted client and its upstream connection: an upstream pipe (client → server) and a downstream pipe
 * (server → client), each with its own instances of the proxy's toxics.
 */
export class Link {
  private readonly pipes: Record<Direction, Pipe>;
  private closed = false;

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    toxics: readonly ToxicSpec[],
    private readonly onClosed: (link: Link) => void,
  ) {
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      // Errors surface as 'close' on the socket, which ends its pipe; nothing else to do with them here.
      socket.on('error', () => {});
      socket.on('close', () => this.onSocketClosed());
    }
    this.pipes = {
      upstream: new Pipe(client, upstream, () => this.onPipeDone('upstream')),
      downstream: new Pipe(upstream, client, () => this.onPipeDone('downstream')),
    };
    for (const spec of toxics) this.addToxic(spec);
  }

  addToxic(spec: ToxicSpec): void {
    this.pipes[spec.stream].entries.push(this.createEntry(spec));
  }

  /** Swaps in the new settings: the old instance lets held data go, the new one starts fresh. */
  updateToxic(spec: ToxicSpec): void {
    const entries = this.pipes[spec.stream].entries;
    const index = entries.findIndex((entry) => entry.name === spec.name);
    const old = entries[index];
    if (!old) return;
    retire(old);
    entries[index] = this.createEntry(spec);
  }

  removeToxic(spec: ToxicSpec): void {
    const entries = this.pipes[spec.stream].entries;
    const index = entries.findIndex((entry) => entry.name === spec.name);
    const old = entries[index];
    if (!old) return;
    entries.splice(index, 1);
    retire(old);
    old.stage?.onRemove?.();
  }

  /** Closes both sockets now (proxy disabled or deleted): clients see the connection drop. */
  destroy(): void {
    this.teardown();
    this.client.destroy();
    this.upstream.destroy();
  }

  /** Aborts both sockets with RST, as reset_peer does. */
  reset(): void {
    this.teardown();
    this.client.resetAndDestroy();
    this.upstream.resetAndDestroy();
  }

  private createEntry(spec: ToxicSpec): PipeEntry {
    const kind = toxicKinds.get(spec.type);
    const pipe = this.pipes[spec.stream];
    const control: LinkControl = { close: () => pipe.close(), reset: () => this.reset() };
    // Toxicity is rolled per connection, as Toxiproxy does, when the toxic meets the connection.
    const affected = kind !== undefined && Math.random() < spec.toxicity;
    return {
      name: spec.name,
      stage: affected ? kind.createStage(spec.attributes, control) : null,
      interrupt: new AbortController(),
    };
  }

  private onPipeDone(direction: Direction): void {
    const pipe = this.pipes[direction];
    const other = this.pipes[direction === 'upstream' ? 'downstream' : 'upstream'];
    const dest = direction === 'upstream' ? this.upstream : this.client;
    if (!dest.destroyed) dest.end();
    // Toxiproxy closes the destination outright, so the other direction stops reading and flushes.
    other.finish();
    if (pipe.finished && other.finished) {
      for (const socket of [this.client, this.upstream]) {
        if (socket.writableFinished) socket.destroy();
        else socket.once('finish', () => socket.destroy());
      }
      // A peer that never reads would keep 'finish' from coming; Toxiproxy would have closed by now.
      setTimeout(() => this.destroy(), FLUSH_GRACE_MS).unref();
    }
  }

  private onSocketClosed(): void {
    if (this.client.destroyed && this.upstream.destroyed) this.teardown();
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const pipe of Object.values(this.pipes)) {
      pipe.abort();
      for (const entry of pipe.entries) retire(entry);
    }
    this.onClosed(this);
  }
}

function retire(entry: PipeEntry): void {
  entry.interrupt.abort();
  entry.stage?.dispose?.();
}
