import { mkdtemp, readFile, rm } from 'node:fs/promises';
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
    await rm(reportDir, { recursive: true, force: true });
    expect(report).toMatchObject({ kind: 'chaos', outcome: 'pass' });
    expect(Object.fromEntries(report.results.map((x) => [x.id, x.verdict]))).toEqual({ LATENCY: 'pass', PARTITION: 'pass', KILL: 'unimplemented' });
    expect(report.results.find((x) => x.id === 'PARTITION')!.figures).toMatchObject({ history: { exactlyOnce: true } });
    const by = Object.fromEntries(out.scenarios.map((s: { name: string }) => [s.name, s]));
    expect(by.kill.verdict).toBe('unimplemented');
    for (const name of ['latency', 'partition']) {
      expect(by[name].verdict, by[name].reason).toBe('pass');
      expect(by[name].history).toMatchObject({ exactlyOnce: true, lost: 0, duplicated: 0 });
      expect(by[name].figures.acked).toBeGreaterThan(0);
      expect(by[name].figures.unresolved).toBe(0);
    }
    expect(by.partition.figures.disconnects).toBeGreaterThan(0);
    expect(by.partition.figures.resolved).toBe(by.partition.figures.inDoubt);
    expect(by.latency.figures.ackLatencyBeforeMs.p50).toBeGreaterThan(0);
    expect(by.latency.figures.ackLatencyDuringMs.p50).toBeGreaterThan(0);
    expect(out.notes.join('\n')).toMatch(/restored with DELETE \/admin\/limits/);
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
