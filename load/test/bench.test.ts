import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchRunFigures } from '../../reports/bench-figures.ts';
import { parseReport } from '../../reports/json.ts';
import type { Report } from '../../reports/schema.ts';
import { oneErrorLine, runCli, type CliResult } from '../../testing/run-cli.ts';

describe('sockproof bench: refusals (one line, exit 2)', () => {
  it.each([
    [['--clients', '0'], /--clients takes a whole number from 1 to 1000, got "0"/],
    [['--clients', '5,x'], /--clients takes a whole number from 1 to 1000, got "x"/],
    [['--targets', 'bare,nginx'], /--targets takes a comma-separated list of bare, embedded, postgres, cluster, got "bare,nginx"/],
    [['--workers', '9'], /--workers takes a whole number from 1 to 8, got "9"/],
    [['--duration', '0.5'], /--duration takes a whole number from 1 to 600, got "0.5"/],
    [['--rounds', '11'], /--rounds takes a whole number from 1 to 10, got "11"/],
  ])('%j', async (args, message) => {
    const r = await runCli(['bench', ...args]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr)).toMatch(message);
  });
});

/**
 * Short runs end to end: every target this machine can run, 1 s with 20 clients (2 per channel, so there is
 * fan-out); then start-up, memory and one supervised SIGKILL. Figures are not judged (the machine is shared);
 * that they are there, with their ratios, is. A first start of the embedded store is slow on a busy machine,
 * hence the long allowances.
 */
describe('sockproof bench: the workload against every target, 1 s each', () => {
  let dir: string;
  let run: CliResult;
  let report: Report;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sockproof-bench-'));
    run = await runCli(['bench', '--duration', '1', '--rounds', '2', '--clients', '20', '--workers', '2', '--no-lifecycle', '--out', dir], 400_000);
    report = parseReport(await readFile(join(dir, 'report.json'), 'utf8'));
  }, 420_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 and prints the table with ratios to bare Socket.IO', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/target\s+clients\s+acked msg\/s\s+deliveries\/s\s+ack p50 ms\s+ack p99 ms\s+fan-out p99 ms\s+server CPU %\s+services CPU %\s+server RSS MB\s+acked × by round\s+limit/);
    expect(run.stdout).toMatch(/^bench: 2 rounds of every target in turn, each row its median round; 1 s per run/m);
    expect(run.stderr).toMatch(/round 1 of 2[\s\S]*round 2 of 2/);
    expect(run.stdout).toMatch(/bare Socket\.IO\s+20\s+[\d.]+ \(1×\)/);
    expect(run.stdout).toMatch(/reference, embedded store\s+20\s+[\d.]+ \([\d.]+×\)/);
  });

  it('writes a bench report whose measured runs carry figures and ratios; an unreachable service is a skip with its reason', () => {
    expect(report.kind).toBe('bench');
    for (const f of ['report.json', 'junit.xml', 'summary.md', 'report.html']) expect(existsSync(join(dir, f)), f).toBe(true);
    const byId = new Map(report.results.map((r) => [r.id, r]));
    for (const id of ['BENCH-bare-20', 'BENCH-embedded-20']) {
      const figures = benchRunFigures(byId.get(id)!);
      expect(figures, id).toBeDefined();
      expect(figures!.ackedPerSec).toBeGreaterThan(0);
      expect(figures!.deliveriesPerSec).toBeGreaterThan(0);
      expect(figures!.ackLatencyMs.p99).toBeGreaterThan(0);
      expect(figures!.fanoutLatencyMs.p99).toBeGreaterThan(0);
      expect(figures!.serverPeakRssMb).toBeGreaterThan(0);
      expect(figures!.ratios.ackedPerSec).toBeGreaterThan(0);
      expect(figures!.ratios.ackP99).toBeGreaterThan(0);
      expect(figures!.series).toHaveLength(1);
      if (id !== 'BENCH-bare-20') expect(figures!.roundRatios, `${id}: the ratio of each of the 2 rounds`).toEqual([expect.any(Number), expect.any(Number)]);
      expect(figures!.ackHistogram.reduce((n, b) => n + b.count, 0)).toBeGreaterThan(0);
    }
    expect(benchRunFigures(byId.get('BENCH-bare-20')!)!.ratios.ackedPerSec).toBe(1);
    expect(benchRunFigures(byId.get('BENCH-bare-20')!)!.servicesCpuPercent, 'bare Socket.IO has no services').toBeNull();
    expect(benchRunFigures(byId.get('BENCH-bare-20')!)!.machineBusyPercent).toBeGreaterThan(0);
    for (const id of ['BENCH-postgres-20', 'BENCH-cluster-20']) {
      const r = byId.get(id)!;
      if (r.verdict === 'unimplemented') expect(r.message).toMatch(/^skipped: no (PostgreSQL|Redis) reachable/);
      else {
        expect(benchRunFigures(r)?.ratios.ackedPerSec, `${id}: ${r.message}`).toBeGreaterThan(0);
        // The bench's own PostgreSQL (and Redis) worked on the same cores: their CPU is measured with the server's.
        if (r.evidence.some((e) => /PostgreSQL local/.test(JSON.stringify(e)))) expect(benchRunFigures(r)?.servicesCpuPercent, id).toBeGreaterThan(0);
      }
    }
  });

  it('summary.md has the figures table and report.html its plots', async () => {
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toMatch(/#### 20 clients \(× ratio to bare Socket\.IO\)\n\n\| target \| clients \| acked msg\/s/);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).toMatch(/<polyline [^>]*stroke="#1f77b4"|<circle [^>]*fill="#1f77b4"/);
    expect(html).toContain('Ack latency histogram, 20 clients');
    expect(html).not.toMatch(/<script src=|<link /);
  });

  const chromium = '/usr/bin/chromium';
  it.skipIf(!existsSync(chromium))(`report.html renders in headless chromium (skipped when ${chromium} is absent)`, async () => {
    const shot = join(dir, 'shot.png');
    await promisify(execFile)(chromium, ['--headless', '--no-sandbox', '--disable-gpu', `--screenshot=${shot}`, '--window-size=1300,1400', `file://${join(dir, 'report.html')}`], { timeout: 60_000 });
    expect((await readFile(shot)).subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('sockproof bench: start-up, memory and a supervised SIGKILL', () => {
  let dir: string;
  let run: CliResult;
  let report: Report;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sockproof-bench-'));
    run = await runCli(['bench', '--targets', 'bare', '--duration', '1', '--rounds', '1', '--clients', '2', '--workers', '1', '--restarts', '1', '--kills', '1', '--idle-sockets', '20', '--out', dir], 400_000);
    report = parseReport(await readFile(join(dir, 'report.json'), 'utf8'));
  }, 420_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints and writes the start-up and memory figures and the time to serving again after a SIGKILL', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/first start s\s+start on existing data s\s+peak RSS first start MB\s+idle RSS MB\s+RSS per 1,000 idle sockets MB/);
    expect(run.stdout).toMatch(/bare Socket\.IO\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+-?[\d.]+ \(20 sockets\)/);
    expect(run.stdout).toMatch(/SIGKILL -> serving again under the supervisor: median \d+ ms over 1 kills \(\d+ ms; initial retry delay 0\.1 s\)/);
    const byId = new Map(report.results.map((r) => [r.id, r]));
    expect(byId.get('BENCH-LIFECYCLE-bare')!.figures).toMatchObject({ idleSockets: 20, firstStartMs: expect.any(Number), idleRssMb: expect.any(Number) });
    expect(byId.get('BENCH-SUPERVISED-RESTART')!.figures).toMatchObject({ kills: 1, servingAgainMs: [expect.any(Number)] });
  });

  it('summary.md and report.html have the start-up and memory table', async () => {
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toMatch(/#### Start-up and memory\n\n\| target \| first start s \|[^\n]*\n[^\n]*\n\| bare Socket\.IO \| [\d.]+ \|/);
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toMatch(/<h2>Start-up and memory<\/h2><table class="bench">.*<td>bare Socket\.IO<\/td><td>[\d.]+<\/td>/s);
  });
});
