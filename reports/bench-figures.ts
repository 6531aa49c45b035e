import { z } from 'zod';
import type { CheckResult } from './schema.ts';

/**
 * What a bench report's results measured, as the writers read it back from `figures` (report.json is
 * untrusted input to `report render`, so it is parsed, never cast). `sockproof bench` writes more than this
 * (every percentile, errors, client CPU); the writers need these to print the table and draw the plots.
 */

const Ms = z.number().nullable();

/** One whole second of a run. */
export const BenchSecond = z.object({
  t: z.number(),
  ackedPerSec: z.number(),
  deliveriesPerSec: z.number(),
  ackP50Ms: Ms,
  ackP99Ms: Ms,
  serverCpuPercent: z.number().nullable(),
});
export type BenchSecond = z.infer<typeof BenchSecond>;

export const HistogramBin = z.object({ fromMs: z.number(), toMs: z.number(), count: z.number().int().nonnegative() });
export type HistogramBin = z.infer<typeof HistogramBin>;

/** Each figure of a run as a ratio to bare Socket.IO's at the same client count (null: not measured). */
export const BenchRatios = z.object({
  ackedPerSec: z.number().nullable(),
  deliveriesPerSec: z.number().nullable(),
  ackP50: z.number().nullable(),
  ackP99: z.number().nullable(),
  fanoutP99: z.number().nullable(),
  serverCpuPercent: z.number().nullable(),
  serverPeakRssMb: z.number().nullable(),
});
export type BenchRatios = z.infer<typeof BenchRatios>;

/** One target at one client count. */
export const BenchRunFigures = z.object({
  target: z.string(),
  label: z.string(),
  clients: z.number().int(),
  ackedPerSec: z.number(),
  deliveriesPerSec: z.number(),
  ackLatencyMs: z.object({ p50: Ms, p99: Ms }),
  fanoutLatencyMs: z.object({ p99: Ms }),
  serverCpuPercent: z.number().nullable(),
  /** The bench's own PostgreSQL and Redis on the same cores (absent in reports written before it was measured). */
  servicesCpuPercent: z.number().nullable().optional(),
  machineBusyPercent: z.number().nullable().optional(),
  serverPeakRssMb: z.number().nullable(),
  limit: z.string(),
  ratios: BenchRatios,
  /**
   * The acked msg/s ratio of each round, in round order (absent: one round). The figures above are the
   * round with the median of these: the machine's other work moves the baseline and the target alike.
   */
  roundRatios: z.array(z.number().nullable()).optional(),
  series: z.array(BenchSecond),
  ackHistogram: z.array(HistogramBin),
});
export type BenchRunFigures = z.infer<typeof BenchRunFigures>;

/** The run figures of a bench result, or undefined for any other result (or a malformed one). */
export function benchRunFigures(result: CheckResult): BenchRunFigures | undefined {
  const parsed = BenchRunFigures.safeParse(result.figures);
  return parsed.success ? parsed.data : undefined;
}

/** Every bench run of the reports, grouped by client count (ascending), in report and result order. */
export function benchRunsByClients(results: readonly CheckResult[]): Map<number, BenchRunFigures[]> {
  const runs = results.flatMap((r) => benchRunFigures(r) ?? []);
  const byClients = new Map<number, BenchRunFigures[]>();
  for (const run of [...runs].sort((a, b) => a.clients - b.clients)) byClients.set(run.clients, [...(byClients.get(run.clients) ?? []), run]);
  return byClients;
}

const fmt = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : String(v));

/** What a server costs outside the message path (one single-node target). */
export const BenchLifecycleFigures = z.object({
  label: z.string(),
  firstStartMs: z.number(),
  restartMs: z.number().nullable(),
  peakRssFirstStartMb: z.number().nullable(),
  idleRssMb: z.number().nullable(),
  idleSockets: z.number().int(),
  rssPer1000SocketsMb: z.number().nullable(),
});
export type BenchLifecycleFigures = z.infer<typeof BenchLifecycleFigures>;

/** Every lifecycle measurement among the results, in order. */
export function benchLifecycles(results: readonly CheckResult[]): BenchLifecycleFigures[] {
  return results.flatMap((r) => {
    const parsed = BenchLifecycleFigures.safeParse(r.figures);
    return parsed.success ? [parsed.data] : [];
  });
}

export const LIFECYCLE_TABLE_HEADER = ['target', 'first start s', 'start on existing data s', 'peak RSS first start MB', 'idle RSS MB', 'RSS per 1,000 idle sockets MB'] as const;

const seconds = (ms: number | null): string => (ms === null ? '-' : (ms / 1000).toFixed(2));

export function lifecycleTableRow(f: BenchLifecycleFigures): string[] {
  return [f.label, seconds(f.firstStartMs), seconds(f.restartMs), fmt(f.peakRssFirstStartMb), fmt(f.idleRssMb), `${fmt(f.rssPer1000SocketsMb)} (${f.idleSockets} sockets)`];
}

const times = (r: number | null): string => (r === null ? '' : ` (${r}×)`);

export const BENCH_TABLE_HEADER = ['target', 'clients', 'acked msg/s', 'deliveries/s', 'ack p50 ms', 'ack p99 ms', 'fan-out p99 ms', 'server CPU %', 'services CPU %', 'server RSS MB', 'acked × by round', 'limit'] as const;

/** One row of the figures table, each figure followed by its ratio to bare Socket.IO; plain text cells. */
export function benchTableRow(f: BenchRunFigures): string[] {
  return [
    f.label,
    String(f.clients),
    `${fmt(f.ackedPerSec)}${times(f.ratios.ackedPerSec)}`,
    `${fmt(f.deliveriesPerSec)}${times(f.ratios.deliveriesPerSec)}`,
    `${fmt(f.ackLatencyMs.p50)}${times(f.ratios.ackP50)}`,
    `${fmt(f.ackLatencyMs.p99)}${times(f.ratios.ackP99)}`,
    `${fmt(f.fanoutLatencyMs.p99)}${times(f.ratios.fanoutP99)}`,
    `${fmt(f.serverCpuPercent)}${times(f.ratios.serverCpuPercent)}`,
    fmt(f.servicesCpuPercent),
    `${fmt(f.serverPeakRssMb)}${times(f.ratios.serverPeakRssMb)}`,
    f.roundRatios && f.roundRatios.length > 1 ? f.roundRatios.map(fmt).join(' ') : '-',
    f.limit,
  ];
}
