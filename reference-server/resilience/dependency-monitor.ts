import type { Logger } from '../logger.ts';

export interface DependencyState {
  up: boolean;
  /** Times it went from up to down since start (DEG-5). */
  outages: number;
  since: string;
}

/**
 * Emergency-mode bookkeeping (DEG-5): which external dependency is up, since when, and how many times
 * each went down. Fed by Redis connection events and by a periodic database probe; logs each change.
 */
export class DependencyMonitor {
  private readonly states = new Map<string, DependencyState>();

  constructor(private readonly log: Logger) {}

  /** Registers a dependency, assumed up until told otherwise. */
  track(name: string): void {
    this.states.set(name, { up: true, outages: 0, since: new Date().toISOString() });
  }

  report(name: string, up: boolean): void {
    const state = this.states.get(name);
    if (!state || state.up === up) return;
    state.up = up;
    state.since = new Date().toISOString();
    if (!up) state.outages++;
    if (up) this.log.info({ dependency: name }, 'dependency back: leaving emergency mode');
    else this.log.warn({ dependency: name, outages: state.outages }, 'dependency down: emergency mode');
  }

  snapshot(): Record<string, DependencyState> {
    return Object.fromEntries([...this.states].map(([name, s]) => [name, { ...s }]));
  }
}

/** Probes `ping` every `intervalMs` and reports the outcome; returns a stop function. */
export function probeEvery(intervalMs: number, timeoutMs: number, ping: () => Promise<void>, report: (up: boolean) => void): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    let timeout: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timeout = setTimeout(() => reject(new Error('probe timed out')), timeoutMs);
    });
    Promise.race([ping(), deadline])
      .then(() => report(true), () => report(false))
      .finally(() => {
        clearTimeout(timeout);
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
