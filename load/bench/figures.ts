import type { BenchRatios, BenchSecond, HistogramBin } from '../../reports/bench-figures.ts';
import { roundSummary, summarize, type RoundedSummary } from '../../testbed/percentiles.ts';

/**
 * The benchmark's arithmetic, pure: what the client workers and the /proc samples measured, merged into one
 * target's figures, its series over time, its latency histogram, its ratios to the baseline, and where the
 * limit was. No I/O, no clock.
 */

/** What one client worker measured; times are ms since the run's "go", as the worker's clock saw it. */
export interface WorkerSamples {
  sent: number;
  /** Flat pairs [ackedAt, ackMs, ackedAt, ackMs, ...] of every acked send. */
  acks: number[];
  errors: Record<string, number>;
  /** message:new received by another member of the channel, counted at the end of each whole second. */
  deliveriesBySecond: number[];
  /** Send to message:new at another member, ms (a uniform sample when there were many). */
  fanoutMs: number[];
  /** CPU time the worker process used while sending, and the wall time it sent for. */
  cpuMs: number;
  wallMs: number;
  disconnects: number;
}

/** The server's CPU time and RSS read once a second during the run (summed over a cluster's nodes). */
export interface ServerSample {
  atMs: number;
  cpuMs: number;
  rssBytes: number;
  /** CPU of the services the bench started for the target (PostgreSQL, Redis: every process of each), when there are any. */
  servicesCpuMs?: number;
  /** CPU ticks (/proc/stat) of the cores the servers and clients may use (all, unless --isolate-services). */
  coreTicks?: { busy: number; total: number };
}

export interface LoadFigures {
  clients: number;
  durationS: number;
  sent: number;
  acked: number;
  failed: number;
  errors: Record<string, number>;
  disconnects: number;
  ackedPerSec: number;
  deliveriesPerSec: number;
  ackLatencyMs: RoundedSummary;
  fanoutLatencyMs: RoundedSummary;
  /** Percent of one core over the run (a cluster: summed over its nodes). */
  serverCpuPercent: number | null;
  /** The bench's own PostgreSQL and Redis, percent of one core over the run; null without services. */
  servicesCpuPercent: number | null;
  /**
   * Percent of the servers' and clients' cores busy over the run, whoever used them: the machine's, unless
   * --isolate-services (the report's field keeps its first name).
   */
  machineBusyPercent: number | null;
  serverPeakRssMb: number | null;
  /** Each worker's CPU as percent of one core. */
  clientCpuPercent: number[];
  limit: string;
  series: BenchSecond[];
  ackHistogram: HistogramBin[];
}

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;
const MB = 1024 * 1024;

/** A process this busy (percent of one core) is the bottleneck: Node runs a server's or a client's JS on one thread. */
export const SATURATED_CPU_PERCENT = 90;

/** Bin edges in ms: 0.25 ms doubling to 16 s, enough for any ack a run waits for (10 s timeout). */
export const HISTOGRAM_EDGES_MS: readonly number[] = [0, ...Array.from({ length: 17 }, (_, i) => 0.25 * 2 ** i)];

/** Counts samples in HISTOGRAM_EDGES_MS bins; a sample above the last edge falls in the last bin. */
export function histogram(samples: readonly number[], edges: readonly number[] = HISTOGRAM_EDGES_MS): HistogramBin[] {
  const bins = edges.slice(0, -1).map((fromMs, i) => ({ fromMs, toMs: edges[i + 1]!, count: 0 }));
  for (const s of samples) {
    let i = bins.findIndex((b) => s < b.toMs);
    if (i < 0) i = bins.length - 1;
    bins[i]!.count++;
  }
  return bins;
}

/** CPU used between two samples as percent of one core, read by `cpuMs` (null where either sample lacks it). */
function corePercent(from: ServerSample, to: ServerSample, cpuMs: (s: ServerSample) => number | undefined = (s) => s.cpuMs): number | null {
  const wall = to.atMs - from.atMs;
  const a = cpuMs(from);
  const b = cpuMs(to);
  return a === undefined || b === undefined || !(wall > 0) ? null : round(((b - a) / wall) * 100);
}

/** Percent of those cores busy between two samples. */
function coresBusyPercent(from: ServerSample, to: ServerSample): number | null {
  if (!from.coreTicks || !to.coreTicks) return null;
  const total = to.coreTicks.total - from.coreTicks.total;
  return total > 0 ? round(((to.coreTicks.busy - from.coreTicks.busy) / total) * 100, 0) : null;
}

/**
 * Which process held the run back, in words for the table. When none was saturated, how busy the servers' and
 * clients' cores were says whether they were shared out (near 100%: server, clients, services and other work took
 * turns) or the run was waiting (I/O, a round trip).
 */
export function whereTheLimitWas(serverCpuPercent: number | null, clientCpuPercent: readonly number[], nodes: number, coresBusy: number | null = null): string {
  const busiestClient = Math.max(0, ...clientCpuPercent);
  const perNode = serverCpuPercent === null ? null : serverCpuPercent / nodes;
  if (busiestClient >= SATURATED_CPU_PERCENT) return `clients: a client process at ${round(busiestClient, 0)}% CPU`;
  if (perNode !== null && perNode >= SATURATED_CPU_PERCENT) return `server: ${round(perNode, 0)}% CPU${nodes > 1 ? ' per node' : ''}`;
  return `neither at 100% CPU: waiting (store, I/O, shared cores)${coresBusy === null ? '' : `; cores ${coresBusy}% busy`}`;
}

/** Merges the workers' samples and the server's samples into one target's figures. */
export function mergeRun(input: { clients: number; durationS: number; nodes: number; workers: readonly WorkerSamples[]; server: readonly ServerSample[] }): LoadFigures {
  const { workers, server } = input;
  const ackAt: number[] = [];
  const ackMs: number[] = [];
  for (const w of workers) {
    for (let i = 0; i + 1 < w.acks.length; i += 2) {
      ackAt.push(w.acks[i]!);
      ackMs.push(w.acks[i + 1]!);
    }
  }
  const errors: Record<string, number> = {};
  for (const w of workers) for (const [code, n] of Object.entries(w.errors)) errors[code] = (errors[code] ?? 0) + n;
  const sent = workers.reduce((n, w) => n + w.sent, 0);
  const acked = ackMs.length;
  // A loop, not Math.max(...ackAt): a spread of 100k+ arguments overflows the stack.
  const elapsedS = Math.max(0.001, ackAt.reduce((last, at) => Math.max(last, at), input.durationS * 1000) / 1000);
  const seconds = Math.max(1, Math.ceil(input.durationS));
  const deliveriesAt = (w: WorkerSamples, s: number) => (s <= 0 ? 0 : w.deliveriesBySecond[Math.min(s, w.deliveriesBySecond.length) - 1] ?? 0);
  const totalDeliveries = workers.reduce((n, w) => n + (w.deliveriesBySecond.at(-1) ?? 0), 0);

  // Acks by the second they came in; the drain after the last whole second counts in the last one.
  const bySecond: number[][] = Array.from({ length: seconds }, () => []);
  ackAt.forEach((at, i) => bySecond[Math.min(seconds - 1, Math.max(0, Math.floor(at / 1000)))]!.push(ackMs[i]!));
  const series: BenchSecond[] = [];
  for (let s = 0; s < seconds; s++) {
    const inSecond = bySecond[s]!;
    const lat = summarize(inSecond);
    const from = server.find((x) => x.atMs >= s * 1000 - 50);
    const to = server.find((x) => x.atMs >= (s + 1) * 1000 - 50);
    series.push({
      t: s + 1,
      ackedPerSec: inSecond.length,
      deliveriesPerSec: workers.reduce((n, w) => n + deliveriesAt(w, s + 1) - deliveriesAt(w, s), 0),
      ackP50Ms: Number.isFinite(lat.p50) ? round(lat.p50) : null,
      ackP99Ms: Number.isFinite(lat.p99) ? round(lat.p99) : null,
      serverCpuPercent: from && to && to !== from ? corePercent(from, to) : null,
    });
  }
  const first = server[0];
  const last = server.at(-1);
  const overRun = first && last && last !== first ? ([first, last] as const) : undefined;
  const serverCpuPercent = overRun ? corePercent(...overRun) : null;
  const coresBusy = overRun ? coresBusyPercent(...overRun) : null;
  const clientCpuPercent = workers.map((w) => (w.wallMs > 0 ? round((w.cpuMs / w.wallMs) * 100) : 0));
  return {
    clients: input.clients,
    durationS: input.durationS,
    sent,
    acked,
    failed: sent - acked,
    errors,
    disconnects: workers.reduce((n, w) => n + w.disconnects, 0),
    ackedPerSec: round(acked / elapsedS),
    deliveriesPerSec: round(totalDeliveries / elapsedS),
    ackLatencyMs: roundSummary(summarize(ackMs)),
    fanoutLatencyMs: roundSummary(summarize(workers.flatMap((w) => w.fanoutMs))),
    serverCpuPercent,
    servicesCpuPercent: overRun ? corePercent(...overRun, (x) => x.servicesCpuMs) : null,
    machineBusyPercent: coresBusy,
    serverPeakRssMb: server.length ? round(Math.max(...server.map((x) => x.rssBytes)) / MB) : null,
    clientCpuPercent,
    limit: whereTheLimitWas(serverCpuPercent, clientCpuPercent, input.nodes, coresBusy),
    series,
    ackHistogram: histogram(ackMs),
  };
}

/** value / baseline, two significant decimals; null when either is missing or the baseline is zero. */
export function ratio(value: number | null | undefined, baseline: number | null | undefined): number | null {
  if (value === null || value === undefined || baseline === null || baseline === undefined || !(baseline > 0)) return null;
  return round(value / baseline, 2);
}

/** The figures a reader compares with bare Socket.IO, each as a ratio to the baseline's. */
export function ratiosTo(figures: LoadFigures, baseline: LoadFigures | undefined): BenchRatios {
  return {
    ackedPerSec: ratio(figures.ackedPerSec, baseline?.ackedPerSec),
    deliveriesPerSec: ratio(figures.deliveriesPerSec, baseline?.deliveriesPerSec),
    ackP50: ratio(figures.ackLatencyMs.p50, baseline?.ackLatencyMs.p50),
    ackP99: ratio(figures.ackLatencyMs.p99, baseline?.ackLatencyMs.p99),
    fanoutP99: ratio(figures.fanoutLatencyMs.p99, baseline?.fanoutLatencyMs.p99),
    serverCpuPercent: ratio(figures.serverCpuPercent, baseline?.serverCpuPercent),
    serverPeakRssMb: ratio(figures.serverPeakRssMb, baseline?.serverPeakRssMb),
  };
}

/** Clients per channel: `clients` spread over `channels` as evenly as counts allow, empty channels dropped. */
export function spreadOverChannels(clients: number, channels: number): number[] {
  return Array.from({ length: channels }, (_, k) => Math.floor(clients / channels) + (k < clients % channels ? 1 : 0)).filter((n) => n > 0);
}

/** Channel indexes per worker, round-robin, no worker without a channel. */
export function channelsPerWorker(channelCount: number, workers: number): number[][] {
  const w = Math.max(1, Math.min(workers, channelCount));
  return Array.from({ length: w }, (_, i) => Array.from({ length: channelCount }, (_, k) => k).filter((k) => k % w === i));
}

/** The middle of a few measurements (the lower middle for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
