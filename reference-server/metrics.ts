import client from 'prom-client';
import type { SocketCounterName, SocketMetrics } from '../spec/index.ts';

type StateGauges = SocketMetrics['state'];

/** Figures that exist only on a node with external dependencies (DEG-2, DEG-4, DEG-5). */
export type DegradationFigures = Pick<SocketMetrics, 'dependencies' | 'crossNode' | 'staleLookups'>;

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
    slowConsumersDisconnected: 0,
  };
  private readonly startedAt = Date.now();
  private readDegradation: () => DegradationFigures = () => ({});
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

  /** Adds the degradation figures of a multi-node or external-database node, read at each snapshot. */
  withDegradation(read: () => DegradationFigures): void {
    this.readDegradation = read;
    const figures = () => this.readDegradation();
    new client.Gauge({
      name: 'sockproof_dependency_up',
      help: 'external dependency reachable (1) or not (0) (DEG-5)',
      labelNames: ['dependency'],
      registers: [this.registry],
      collect() {
        for (const [name, d] of Object.entries(figures().dependencies ?? {})) this.set({ dependency: name }, d.up ? 1 : 0);
      },
    });
    new client.Counter({
      name: 'sockproof_dependency_outages_total',
      help: 'times an external dependency went down (DEG-5)',
      labelNames: ['dependency'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [name, d] of Object.entries(figures().dependencies ?? {})) this.inc({ dependency: name }, d.outages);
      },
    });
    new client.Gauge({
      name: 'sockproof_cross_node',
      help: 'cross-node sends: buffered now, dropped and flushed since start (DEG-2)',
      labelNames: ['kind'],
      registers: [this.registry],
      collect() {
        for (const [kind, value] of Object.entries(figures().crossNode ?? {})) this.set({ kind }, value);
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
      ...this.readDegradation(),
    };
  }

  prometheus(): Promise<string> {
    return this.registry.metrics();
  }
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
