import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelsPerWorker, histogram, HISTOGRAM_EDGES_MS, median, mergeRun, ratio, spreadOverChannels, whereTheLimitWas, type WorkerSamples } from '../bench/figures.ts';
import { parseCpuMs, parseEndedChildrenCpuMs, parseCpuTicks, parseRssBytes } from '../bench/proc-stats.ts';
import type { BenchRun } from '../bench/bench-run.ts';
import { pickMedianRounds } from '../bench/rounds.ts';
import { histogramChart, lineChart, niceCeiling } from '../../reports/plots.ts';

describe('bench arithmetic', () => {
  it('spreads clients over channels: all of them, no channel empty, sizes differ by at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 20 }), (clients, channels) => {
        const spread = spreadOverChannels(clients, channels);
        expect(spread.reduce((a, b) => a + b, 0)).toBe(clients);
        expect(spread.length).toBe(Math.min(clients, channels));
        expect(Math.max(...spread) - Math.min(...spread)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('gives every channel to exactly one worker, and every worker a channel', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 8 }), (channels, workers) => {
        const shares = channelsPerWorker(channels, workers);
        expect(shares.length).toBe(Math.min(channels, workers));
        expect(shares.every((s) => s.length > 0)).toBe(true);
        expect(shares.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: channels }, (_, k) => k));
      }),
    );
  });

  it('puts every latency sample in exactly one histogram bin, the one whose bounds hold it', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 20_000, noNaN: true }), { maxLength: 300 }), (samples) => {
        const bins = histogram(samples);
        expect(bins.reduce((n, b) => n + b.count, 0)).toBe(samples.length);
        expect(bins.map((b) => b.fromMs)).toEqual(HISTOGRAM_EDGES_MS.slice(0, -1));
        for (const s of samples) {
          const i = bins.findIndex((b) => s >= b.fromMs && s < b.toMs);
          if (i >= 0) expect(bins[i]!.count).toBeGreaterThan(0);
          else expect(s).toBeGreaterThanOrEqual(bins.at(-1)!.toMs); // above the last edge: counted in the last bin
        }
      }),
    );
  });

  const worker = fc.record({
    acks: fc.array(fc.tuple(fc.double({ min: 0, max: 4_999, noNaN: true }), fc.double({ min: 0.1, max: 500, noNaN: true })), { maxLength: 200 }),
    failed: fc.integer({ min: 0, max: 20 }),
    deliveries: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 5, maxLength: 5 }),
    cpuMs: fc.integer({ min: 0, max: 5_000 }),
  });

  it('merges workers: sent = acked + failed, per-second acks add up to all acks, deliveries to the last cumulative counts', () => {
    fc.assert(
      fc.property(fc.array(worker, { minLength: 1, maxLength: 4 }), (ws) => {
        const workers: WorkerSamples[] = ws.map((w) => {
          const cumulative = w.deliveries.reduce<number[]>((acc, d) => [...acc, (acc.at(-1) ?? 0) + d], []);
          return {
            sent: w.acks.length + w.failed,
            acks: w.acks.flat(),
            errors: (w.failed ? { TIMEOUT: w.failed } : {}) as Record<string, number>,
            deliveriesBySecond: cumulative,
            fanoutMs: [],
            cpuMs: w.cpuMs,
            wallMs: 5_000,
            disconnects: 0,
          };
        });
        const f = mergeRun({ clients: 10, durationS: 5, nodes: 1, workers, server: [] });
        const acked = ws.reduce((n, w) => n + w.acks.length, 0);
        expect(f.acked).toBe(acked);
        expect(f.sent).toBe(f.acked + f.failed);
        expect(f.errors.TIMEOUT ?? 0).toBe(f.failed);
        expect(f.series).toHaveLength(5);
        expect(f.series.reduce((n, s) => n + s.ackedPerSec, 0)).toBe(acked);
        expect(f.series.reduce((n, s) => n + s.deliveriesPerSec, 0)).toBe(workers.reduce((n, w) => n + w.deliveriesBySecond.at(-1)!, 0));
        expect(f.ackedPerSec).toBeCloseTo(acked / 5, 0);
        expect(f.clientCpuPercent).toEqual(ws.map((w) => Math.round((w.cpuMs / 5_000) * 1000) / 10));
      }),
    );
  });

  it('reads server CPU over the run from the first and last /proc samples', () => {
    const server = [
      { atMs: 0, cpuMs: 1_000, rssBytes: 50 * 1024 * 1024 },
      { atMs: 1_000, cpuMs: 1_900, rssBytes: 80 * 1024 * 1024 },
      { atMs: 2_000, cpuMs: 2_500, rssBytes: 70 * 1024 * 1024 },
    ];
    const f = mergeRun({ clients: 1, durationS: 2, nodes: 1, workers: [], server });
    expect(f.serverCpuPercent).toBe(75);
    expect(f.series.map((s) => s.serverCpuPercent)).toEqual([90, 60]);
    expect(f.serverPeakRssMb).toBe(80);
    expect(f.limit).toMatch(/^neither/);
    expect(f.servicesCpuPercent).toBeNull();
    expect(f.machineBusyPercent).toBeNull();
  });

  it('reads the services\' CPU and how busy the servers\' and clients\' cores were over the run, and says so when nothing saturated', () => {
    const server = [
      { atMs: 0, cpuMs: 0, rssBytes: 1, servicesCpuMs: 5_000, coreTicks: { busy: 100, total: 1_000 } },
      { atMs: 1_000, cpuMs: 500, rssBytes: 1, servicesCpuMs: 5_300, coreTicks: { busy: 250, total: 1_200 } },
      { atMs: 2_000, cpuMs: 1_000, rssBytes: 1, servicesCpuMs: 5_800, coreTicks: { busy: 460, total: 1_400 } },
    ];
    const f = mergeRun({ clients: 1, durationS: 2, nodes: 1, workers: [], server });
    expect(f.servicesCpuPercent).toBe(40);
    expect(f.machineBusyPercent).toBe(90);
    expect(f.limit).toBe('neither at 100% CPU: waiting (store, I/O, shared cores); cores 90% busy');
  });

  it('names the process at 100% CPU as the limit, clients first (they hold the load back before the server can)', () => {
    expect(whereTheLimitWas(99, [97, 40], 1)).toMatch(/^clients: a client process at 97% CPU/);
    expect(whereTheLimitWas(99, [50], 1)).toBe('server: 99% CPU');
    expect(whereTheLimitWas(190, [50], 2)).toBe('server: 95% CPU per node');
    expect(whereTheLimitWas(120, [50], 2)).toMatch(/^neither/);
    expect(whereTheLimitWas(null, [], 1)).toMatch(/^neither/);
  });

  it('takes ratios only to a measured, positive baseline; median is the middle value', () => {
    expect(ratio(639, 10_604)).toBe(0.06);
    expect(ratio(5, 0)).toBeNull();
    expect(ratio(null, 3)).toBeNull();
    expect(ratio(3, undefined)).toBeNull();
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 1, maxLength: 9 }), (xs) => {
        const m = median(xs)!;
        expect(xs.filter((x) => x <= m).length).toBeGreaterThanOrEqual(Math.ceil(xs.length / 2));
        expect(xs).toContain(m);
      }),
    );
    expect(median([])).toBeNull();
  });
});

describe('/proc parsing', () => {
  it('reads utime + stime after the command name, whatever the name holds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 15 }), fc.nat(1e7), fc.nat(1e7), (comm, utime, stime) => {
        const rest = ['S', 1, 2, 3, 0, -1, 4194560, 100, 0, 0, 0, utime, stime, 0, 0, 20, 0, 11].join(' ');
        expect(parseCpuMs(`4242 (${comm}) ${rest}`)).toBe((utime + stime) * 10);
      }),
    );
    expect(parseCpuMs('garbage')).toBeUndefined();
  });

  it('reads the ended children\'s cutime + cstime, the two fields after stime', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 15 }), fc.nat(1e7), fc.nat(1e7), (comm, cutime, cstime) => {
        const rest = ['S', 1, 2, 3, 0, -1, 4194560, 100, 0, 0, 0, 7, 8, cutime, cstime, 20, 0, 11].join(' ');
        expect(parseEndedChildrenCpuMs(`4242 (${comm}) ${rest}`)).toBe((cutime + cstime) * 10);
        expect(parseCpuMs(`4242 (${comm}) ${rest}`)).toBe(150);
      }),
    );
  });

  it('reads busy and total ticks from /proc/stat (idle and iowait are not busy), of the machine or of some cores', () => {
    const stat = 'cpu  100 5 50 1000 20 3 2 1 0 0\ncpu0 50 2 25 500 10 1 1 0 0 0\ncpu1 50 3 25 500 10 2 1 1 0 0\ncpu10 7 0 0 7 0 0 0 0 0 0\nintr 12345\n';
    expect(parseCpuTicks(stat)).toEqual({ busy: 161, total: 1181 });
    expect(parseCpuTicks(stat, [0])).toEqual({ busy: 79, total: 589 });
    expect(parseCpuTicks(stat, [0, 1])).toEqual({ busy: 161, total: 1181 });
    expect(parseCpuTicks(stat, [10])).toEqual({ busy: 7, total: 14 });
    expect(parseCpuTicks(stat, [2]), 'a core /proc/stat does not list').toBeUndefined();
    expect(parseCpuTicks('cpu0 1 2 3 4 5\n')).toBeUndefined();
  });

  it('reads VmRSS in bytes', () => {
    expect(parseRssBytes('Name:\tnode\nVmHWM:\t  900 kB\nVmRSS:\t   81920 kB\nThreads:\t11\n')).toBe(81920 * 1024);
    expect(parseRssBytes('Name:\tkthreadd\n')).toBeUndefined();
  });
});

describe('plots', () => {
  it('round the y axis up to 1, 2 or 5 times a power of ten', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e9, noNaN: true }), (v) => {
        const c = niceCeiling(v);
        expect(c).toBeGreaterThanOrEqual(v * (1 - 1e-9));
        expect(c).toBeLessThanOrEqual(v * 5 * (1 + 1e-9));
        const mantissa = c / 10 ** Math.floor(Math.log10(c) + 1e-12);
        expect([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9)).toBe(true);
      }),
    );
  });

  it('escape every label (a series name is whatever report.json says) and draw one line per series', () => {
    const evil = '</svg><script>alert(1)</script>';
    const svg = lineChart({ title: evil, xLabel: 'x', yLabel: 'y', series: [{ name: evil, points: [[1, 2], [2, 3]] }, { name: 'b', points: [[1, null], [2, 1], [3, 2]] }] });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;/svg&gt;&lt;script&gt;');
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    const hist = histogramChart({ title: 't', xLabel: 'x', binLabels: ['0-1', evil], series: [{ name: evil, counts: [1, 3] }] });
    expect(hist).not.toContain('<script>');
    expect(hist.match(/<rect [^>]*height="[\d.]+"/g)!.length).toBeGreaterThanOrEqual(2);
  });
});

describe('rounds: each row is its median round', () => {
  // Only the fields the pick reads are real; the rest of a run's figures do not matter to it.
  const measured = (target: string, ackedPerSec: number, ratio: number | null): BenchRun =>
    ({ target, label: target, clients: 50, notes: [], outcome: { status: 'measured', figures: { ackedPerSec } }, ratios: { ackedPerSec: ratio } }) as unknown as BenchRun;

  it('shows the round whose ratio is the median (the lower middle of an even count), with every round\'s ratio', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.01, max: 3, noNaN: true }), { minLength: 2, maxLength: 10 }), (ratios) => {
        const rounds = ratios.map((r, i) => [measured('bare', 1000 + i, 1), measured('postgres', 1000 * r, r)]);
        const picked = pickMedianRounds(rounds);
        expect(picked.map((r) => r.target)).toEqual(['bare', 'postgres']);
        const pg = picked[1]!;
        expect(pg.roundRatios).toEqual(ratios);
        const sorted = [...ratios].sort((a, b) => a - b);
        expect(pg.ratios!.ackedPerSec).toBe(sorted[Math.floor((ratios.length - 1) / 2)]);
        // A whole round: its throughput is the one measured with that ratio.
        expect(pg.outcome.status === 'measured' && pg.outcome.figures.ackedPerSec).toBe(1000 * pg.ratios!.ackedPerSec!);
        expect(picked[0]!.roundRatios).toBeUndefined();
      }),
    );
  });

  it('a round that failed is the row\'s outcome, naming the round; one round is passed through as it is', () => {
    const failed = { ...measured('embedded', 0, null), outcome: { status: 'failed', reason: 'could not start: EADDRINUSE' } } as BenchRun;
    const picked = pickMedianRounds([[measured('embedded', 900, 0.9)], [failed], [measured('embedded', 800, 0.8)]]);
    expect(picked).toHaveLength(1);
    expect(picked[0]!.outcome).toEqual({ status: 'failed', reason: 'round 2 of 3: could not start: EADDRINUSE' });
    const one = [measured('bare', 1, 1)];
    expect(pickMedianRounds([one])).toEqual(one);
  });

  it('without a bare run to divide by, ranks the rounds by throughput', () => {
    const picked = pickMedianRounds([[measured('embedded', 900, null)], [measured('embedded', 500, null)], [measured('embedded', 700, null)]]);
    expect(picked[0]!.outcome.status === 'measured' && picked[0]!.outcome.figures.ackedPerSec).toBe(700);
    expect(picked[0]!.roundRatios).toEqual([null, null, null]);
  });
});
