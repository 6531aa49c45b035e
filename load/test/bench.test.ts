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
  ])('%j', async (args, message) => {
    const r = await runCli(['bench', ...args]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr)).toMatch(message);
  });
});

/**
 * One short run end to end: every target this machine can run for 1 s with 4 clients, then start-up, memory
 * and one supervised SIGKILL. Figures are not judged (the machine is shared); that they are there is.
 */
describe('sockproof bench, 1 s per target', () => {
  let dir: string;
  let run: CliResult;
  let report: Report;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sockproof-bench-'));
    const args = ['bench', '--duration', '1', '--clients', '4', '--workers', '2', '--restarts', '1', '--kills', '1', '--idle-sockets', '20', '--out', dir];
    run = await runCli(args, 280_000);
    report = parseReport(await readFile(join(dir, 'report.json'), 'utf8'));
  }, 300_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 and prints the table with ratios to bare Socket.IO', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/target\s+clients\s+acked msg\/s\s+deliveries\/s\s+ack p50 ms\s+ack p99 ms\s+fan-out p99 ms\s+server CPU %\s+server RSS MB\s+limit/);
    expect(run.stdout).toMatch(/bare Socket\.IO\s+4\s+[\d.]+ \(1×\)/);
    expect(run.stdout).toMatch(/reference, embedded store\s+4\s+[\d.]+ \([\d.]+×\)/);
    expect(run.stdout).toMatch(/first start s.*start on existing data s.*idle RSS MB/);
    expect(run.stdout).toMatch(/SIGKILL -> serving again under the supervisor: median \d+ ms over 1 kills/);
  });

  it('writes a bench report whose measured runs carry figures and ratios; an unreachable service is a skip with its reason', () => {
    expect(report.kind).toBe('bench');
    for (const f of ['report.json', 'junit.xml', 'summary.md', 'report.html']) expect(existsSync(join(dir, f)), f).toBe(true);
    const byId = new Map(report.results.map((r) => [r.id, r]));
    for (const id of ['BENCH-bare-4', 'BENCH-embedded-4']) {
      const figures = benchRunFigures(byId.get(id)!);
      expect(figures, id).toBeDefined();
      expect(figures!.ackedPerSec).toBeGreaterThan(0);
      expect(figures!.ackLatencyMs.p99).toBeGreaterThan(0);
      expect(figures!.serverPeakRssMb).toBeGreaterThan(0);
      expect(figures!.ratios.ackedPerSec).toBeGreaterThan(0);
      expect(figures!.series).toHaveLength(1);
      expect(figures!.ackHistogram.reduce((n, b) => n + b.count, 0)).toBeGreaterThan(0);
    }
    expect(benchRunFigures(byId.get('BENCH-bare-4')!)!.ratios.ackedPerSec).toBe(1);
    for (const id of ['BENCH-postgres-4', 'BENCH-cluster-4']) {
      const r = byId.get(id)!;
      if (r.verdict === 'unimplemented') expect(r.message).toMatch(/^skipped: no (PostgreSQL|Redis) reachable/);
      else expect(benchRunFigures(r)?.ratios.ackedPerSec, `${id}: ${r.message}`).toBeGreaterThan(0);
    }
    const lifecycle = byId.get('BENCH-LIFECYCLE-embedded')!;
    expect(lifecycle.verdict, lifecycle.message).toBe('pass');
    expect(lifecycle.figures).toMatchObject({ idleSockets: 20 });
    expect(byId.get('BENCH-SUPERVISED-RESTART')!.figures).toMatchObject({ kills: 1, servingAgainMs: [expect.any(Number)] });
  });

  it('summary.md has the figures table and report.html its plots', async () => {
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toMatch(/#### 4 clients \(× ratio to bare Socket\.IO\)\n\n\| target \| clients \| acked msg\/s/);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).toMatch(/<polyline [^>]*stroke="#1f77b4"/);
    expect(html).toContain('Ack latency histogram, 4 clients');
    expect(html).not.toMatch(/<script src=|<link /);
  });

  const chromium = '/usr/bin/chromium';
  it.skipIf(!existsSync(chromium))(`report.html renders in headless chromium (skipped when ${chromium} is absent)`, async () => {
    const shot = join(dir, 'shot.png');
    await promisify(execFile)(chromium, ['--headless', '--no-sandbox', '--disable-gpu', `--screenshot=${shot}`, '--window-size=1300,1400', `file://${join(dir, 'report.html')}`], { timeout: 60_000 });
    expect((await readFile(shot)).subarray(1, 4).toString()).toBe('PNG');
  });
});
