import type { z } from 'zod';

/** A piece of data read from one socket, stamped with when it was read (performance.now() ms). */
export interface Chunk {
  data: Buffer;
  at: number;
}

/** Passes a chunk to the rest of the chain; resolves once it has been written (or dropped by a later toxic). */
export type Forward = (chunk: Chunk) => Promise<void>;

/** What a toxic may do to the connection it sits on, beyond shaping data. */
export interface LinkControl {
  /** Ends this direction like Toxiproxy's stub.Close(): pending input is dropped, the link closes with FIN. */
  close(): void;
  /** Aborts both sockets with a TCP RST (SO_LINGER 0), as reset_peer does. */
  reset(): void;
}

/**
 * One toxic applied to one direction of one connection. Chunks go through stages strictly in order.
 * `interrupted` fires when the toxic is removed or updated: a stage then forwards what it holds at once,
 * because Toxiproxy never drops data on the floor when a toxic is swapped out.
 */
export interface Stage {
  onChunk(chunk: Chunk, forward: Forward, interrupted: AbortSignal): Promise<void>;
  /** The source ended; resolves when the end may travel on (slow_close holds it). */
  onEnd?(interrupted: AbortSignal): Promise<void>;
  /** The toxic was deleted from the proxy while this connection lives. */
  onRemove?(): void;
  /** The stage is no longer used (removal, update or the connection closed): stop timers. */
  dispose?(): void;
}

/** A toxic type: its attribute schema (defaults filled in, as Go's zero values) and a stage factory. */
export interface ToxicKind<A extends Record<string, number> = Record<string, number>> {
  type: string;
  attributes: z.ZodType<A>;
  createStage(attributes: A, link: LinkControl): Stage;
}

/** Sleeps `ms`, waking early (without error) if `signal` aborts; returns true if it slept the whole time. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
