import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';
import { oneErrorLine, runCli } from '../../testing/run-cli.ts';
import { parseReport } from '../../reports/json.ts';

const SECRET = 'y'.repeat(40);
const SMALL = ['--clients', '3', '--rate', '4', '--phase-ms', '1000', '--json'];

describe('sockproof chaos: refusals', () => {
  it('refuses a non-loopback target without --allow-remote, and kill alone with --target', async () => {
    const remote = await runCli(['chaos', '--target', 'http://198.51.100.7:8765', '--jwt-secret', SECRET]);
    expect(remote.code).toBe(2);
    expect(oneErrorLine(remote.stderr)).toMatch(/--allow-remote/);
    const kill = await runCli(['chaos', '--target', 'http://127.0.0.1:9', '--jwt-secret', SECRET, '--scenarios', 'kill']);
    expect(kill.code).toBe(2);
    expect(oneErrorLine(kill.stderr)).toMatch(/--server-cmd/);
  });
});

describe('sockproof chaos against a reference server the test started', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ secret: SECRET, env: { LOG_LEVEL: 'warn' } });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('latency and partition pass with exactly-once history; kill is unimplemented for an attached target', async () => {
    const reportDir = await mkdtemp(join(tmpdir(), 'sockproof-chaos-report-'));
    const r = await runCli(['chaos', '--target', server.url, '--jwt-secret', SECRET, '--cut-ms', '1000', '--out', reportDir, ...SMALL]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    // The same run as a report, in the one verdict model: scenarios are results with their figures.
    const report = parseReport(await readFile(join(reportDir, 'report.json'), 'utf8'));
    const html = await readFile(join(reportDir, 'report.html'), 'utf8');
    await rm(reportDir, { recursive: true, force: true });
    // The HTML carries a timeline of each scenario's history.
    expect(html).toMatch(/<section class="timeline" id="timeline-partition">[\s\S]*<title>partition \d+-\d+ ms<\/title>/);
    expect(report).toMatchObject({ kind: 'chaos', outcome: 'pass' });
    expect(Object.fromEntries(report.results.map((x) => [x.id, x.verdict]))).toEqual({ LATENCY: 'pass', PARTITION: 'pass', KILL: 'unimplemented' });
    expect(report.results.find((x) => x.id === 'PARTITION')!.figures).toMatchObject({ history: { exactlyOnce: true } });
    const by = Object.fromEntries(out.scenarios.map((s: { name: string }) => [s.name, s]));
    expect(by.kill.verdict).toBe('unimplemented');
    for (const name of ['latency', 'partition']) {
      expect(by[name].verdict, by[name].reason).toBe('pass');
      expect(by[name].history).toMatchObject({ exactlyOnce: true, lost: 0, duplicated: 0 });
      // The verdict comes from the history checkers, each of them valid.
      expect(Object.fromEntries(by[name].checkers.map((c: { checker: string; verdict: string }) => [c.checker, c.verdict]))).toEqual({
        'exactly-once': 'valid',
        'retry-once': 'valid',
        'seq-order': 'valid',
        delivery: 'valid',
        availability: 'valid',
        'cross-node-order': 'valid',
      });
      expect(by[name].figures.acked).toBeGreaterThan(0);
      expect(by[name].figures.unresolved).toBe(0);
    }
    expect(by.partition.figures.disconnects).toBeGreaterThan(0);
    expect(by.partition.figures.resolved).toBe(by.partition.figures.inDoubt);
    expect(by.partition.figures.retries, 'the held answers were cut: stored sends retried').toBeGreaterThan(0);
    expect(by.latency.figures.ackLatencyBeforeMs.p50).toBeGreaterThan(0);
    expect(by.latency.figures.ackLatencyDuringMs.p50).toBeGreaterThan(0);
    expect(out.notes.join('\n')).toMatch(/relaxation sockproof-run-[0-9a-f]+ ended with DELETE/);
  }, 180_000);
});

describe('sockproof chaos kill with --server-cmd', () => {
  it('SIGKILLs and restarts the server; every acked message is stored exactly once', async () => {
    const r = await runCli(
      ['chaos', '--server-cmd', `"${process.execPath}" bin/sockproof.mjs serve`, '--env', 'LOG_LEVEL=warn', '--scenarios', 'kill', '--kills', '1', ...SMALL],
      240_000,
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const kill = out.scenarios[0];
    expect(kill.name).toBe('kill');
    expect(kill.verdict, kill.reason).toBe('pass');
    expect(kill.history).toMatchObject({ exactlyOnce: true, lost: 0, duplicated: 0, mismatched: 0 });
    expect(kill.figures.kills).toHaveLength(1);
    expect(kill.figures.kills[0].killToServingMs).toBeGreaterThan(0);
    expect(kill.figures.unresolved).toBe(0);
    expect(typeof kill.figures.seed).toBe('number');
  }, 240_000);
});

describe('sockproof chaos --schedule', () => {
  it('refuses a schedule file whose windows overlap, with the reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sockproof-schedule-'));
    const file = join(dir, 'schedule.json');
    await writeFile(file, JSON.stringify({ durationMs: 10_000, windows: [{ fault: 'pause', startMs: 0, healMs: 5_000 }, { fault: 'partition', startMs: 4_000, healMs: 6_000 }] }));
    const r = await runCli(['chaos', '--target', 'http://127.0.0.1:9', '--jwt-secret', SECRET, '--schedule', file]);
    await rm(dir, { recursive: true, force: true });
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr)).toMatch(/may not overlap/);
  });

  it('plays a seeded random schedule of kills, pauses, partitions and latency against a server it owns; every checker valid', async () => {
    const r = await runCli(
      ['chaos', '--server-cmd', `"${process.execPath}" bin/sockproof.mjs serve`, '--env', 'LOG_LEVEL=warn', '--schedule', 'random', '--duration', '8', '--kills', '2', '--seed', '3', ...SMALL],
      240_000,
    );
    // The verdict and the checkers first: they say why, where the exit status only says that.
    const nemesis = r.stdout ? JSON.parse(r.stdout).scenarios[0] : undefined;
    const why = nemesis ? `${nemesis.reason}\n${JSON.stringify(nemesis.checkers, null, 1)}` : r.stderr;
    expect(nemesis?.name, r.stderr).toBe('nemesis');
    expect(nemesis.verdict, why).toBe('pass');
    expect(r.code, r.stderr).toBe(0);
    expect(nemesis.figures).toMatchObject({ seed: 3, lost: 0, duplicated: 0, unresolved: 0 });
    expect(Object.values(nemesis.figures.windows as Record<string, number>).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(nemesis.figures.windows.kill ?? 0).toBeLessThanOrEqual(2);
    for (const c of nemesis.checkers) expect(c.verdict, `${c.checker}: ${c.reason}`).toBe('valid');
  }, 240_000);
});
