// The supervisor's waits: each one ends at its own result, the server's exit or a stop request,
// whichever comes first, and whatever lost the race is cancelled (timers cleared, sockets closed).
import type { ExitInfo } from './process-group.ts';

export type Outcome<T> = { kind: 'value'; value: T } | { kind: 'exit'; exit: ExitInfo } | { kind: 'stop' };

/**
 * A server's exit as an AbortSignal: each wait listens to it and then stops listening. (A
 * promise's handlers cannot be removed, so racing the exit promise itself on every health
 * check would pile up handlers for as long as the server lives.)
 */
export interface ExitWatch {
  gone: AbortSignal;
  exit: ExitInfo | undefined;
}

export function watchExit(exited: Promise<ExitInfo>): ExitWatch {
  const controller = new AbortController();
  const watch: ExitWatch = { gone: controller.signal, exit: undefined };
  void exited.then((exit) => {
    watch.exit = exit;
    controller.abort();
  });
  return watch;
}

/**
 * Waits for `work`, the server's exit or a stop request, whichever comes first; then aborts the
 * signal given to `work`, so that work which lost the race (a health probe in flight, a pause)
 * ends at once instead of holding its socket or timer until its own deadline.
 */
export function race<T>(work: (signal: AbortSignal) => Promise<T>, server: ExitWatch | undefined, stop: AbortSignal): Promise<Outcome<T>> {
  if (stop.aborted) return Promise.resolve({ kind: 'stop' });
  if (server?.exit) return Promise.resolve({ kind: 'exit', exit: server.exit });
  return new Promise((resolve, reject) => {
    const local = new AbortController();
    let settled = false;
    const finish = (outcome: Outcome<T> | Error) => {
      if (settled) return;
      settled = true;
      stop.removeEventListener('abort', onStop);
      server?.gone.removeEventListener('abort', onGone);
      local.abort();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const onStop = () => finish({ kind: 'stop' });
    const onGone = () => finish({ kind: 'exit', exit: server!.exit! });
    stop.addEventListener('abort', onStop);
    server?.gone.addEventListener('abort', onGone);
    work(local.signal).then(
      (value) => finish({ kind: 'value', value }),
      (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
    );
  });
}

/** A pause of `ms`, cut short when its signal aborts. */
export const pause = (ms: number) => (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
