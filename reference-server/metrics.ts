import client from 'prom-client';
import type { SocketCounterName, SocketMetrics } from '../spec/index.ts';

type StateGauges = SocketMetrics['state'];

/**
 * The node's counters (MET-1), kept as plain numbers on the hot path; the Prometheus view
 * (MET-3) reads them at scrape time instead of being updated per event.
 */
export class Metrics {
  private readonly counters: Record<SocketCounterName, number> = {
    totalConnections: 0,
    failedConnections: 0,
    messagesSent: 0,
    messagesRejected: 0,
    eventsProcessed: 0,
    eventsRejected: 0,
    rateLimited: 0,
    circuitBreakerTrips: 0,
    staleEntriesCleaned: 0,
    redisReconnects: 0,
  };
  private readonly startedAt = Date.now();
  readonly registry = new client.Registry();

  constructor(private readonly readState: () => StateGauges & { activeConnections: number }) {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'sockproof_' });
    for (const name of Object.keys(this.counters) as SocketCounterName[]) {
      const counters = this.counters;
      new client.Counter({
        name: `sockproof_${snake(name)}_total`,
        help: `${name} (see SPEC.md MET-1)`,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(counters[name]);
        },
      });
    }
    const read = this.readState;
    new client.Gauge({
      name: 'sockproof_state_entries',
      help: 'per-connection state entries by kind (SES-2)',
      labelNames: ['kind'],
      registers: [this.registry],
      collect() {
        const s = read();
        for (const [kind, value] of Object.entries(s)) this.set({ kind }, value);
      },
    });
  }

  inc(name: SocketCounterName, by = 1): void {
    this.counters[name] += by;
  }

  snapshot(): SocketMetrics {
    const { activeConnections, ...state } = this.readState();
    const mem = process.memoryUsage();
    return {
      ...this.counters,
      activeConnections,
      state,
      memory: { heapUsedBytes: mem.heapUsed, rssBytes: mem.rss },
      uptimeSeconds: (Date.now() - this.startedAt) / 1000,
    };
  }

  prometheus(): Promise<string> {
    return this.registry.metrics();
  }
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
