import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';
import { closedPort, oneErrorLine, runCli } from '../../testing/run-cli.ts';
import { parseReport } from '../../reports/json.ts';

const SECRET = 'x'.repeat(40);

describe('sockproof load: refusals (one line, exit 2)', () => {
  it('refuses a non-loopback target without --allow-remote', async () => {
    const r = await runCli(['load', 'realtime', '--target', 'http://192.0.2.10:8765', '--jwt-secret', SECRET]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr)).toMatch(/not a loopback address.*--allow-remote/);
  });

  it('reports an unreachable target (a closed port on 127.0.0.1)', async () => {
    const port = await closedPort();
    const r = await runCli(['load', 'http', '--target', `http://127.0.0.1:${port}`, '--duration', '1']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr)).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} is not reachable: ECONNREFUSED`));
  });

  it('refuses bad numbers and a missing secret', async () => {
    const bad = await runCli(['load', 'realtime', '--clients', '0', '--target', 'http://127.0.0.1:9', '--jwt-secret', SECRET]);
    expect(bad.code).toBe(2);
    expect(oneErrorLine(bad.stderr)).toMatch(/--clients takes a whole number from 1 to 1000, got "0"/);
    const noSecret = await runCli(['load', 'realtime', '--target', 'http://127.0.0.1:9']);
    expect(noSecret.code).toBe(2);
    expect(oneErrorLine(noSecret.stderr)).toMatch(/--jwt-secret/);
  });
});

describe('sockproof load against a reference server', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ secret: SECRET, env: { LOG_LEVEL: 'warn' } });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('realtime: figures present and positive, every acked message stored exactly once, limits relaxed for its own users and the relaxation deleted', async () => {
    const r = await runCli(['load', 'realtime', '--target', server.url, '--jwt-secret', SECRET, '--clients', '5', '--duration', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.kind).toBe('realtime');
    expect(out.figures.acked).toBeGreaterThan(0);
    expect(out.figures.ackedPerSec).toBeGreaterThan(0);
    for (const k of ['p50', 'p95', 'p99']) {
      expect(out.figures.ackLatencyMs[k]).toBeGreaterThan(0);
      expect(out.figures.fanoutLatencyMs[k]).toBeGreaterThan(0);
    }
    expect(out.figures.fanoutDeliveries).toBeGreaterThan(0);
    expect(out.figures.errors).toEqual({});
    expect(out.history).toMatchObject({ exactlyOnce: true, lost: 0, duplicated: 0, mismatched: 0 });
    expect(out.history.acked).toBe(out.figures.acked);
    // The recorded history, judged by every checker: valid; its 5 members all recorded (within the budget).
    expect(out.judgement.verdict).toBe('valid');
    expect(out.judgement.checkers.map((c: { checker: string; verdict: string }) => `${c.checker} ${c.verdict}`)).toEqual(
      ['exactly-once', 'retry-once', 'seq-order', 'delivery', 'availability', 'cross-node-order'].map((c) => `${c} valid`),
    );
    expect(out.judgement.recording).toMatchObject({ observers: 5, members: 5 });
    expect(out.judgement.recording.ops).toBeGreaterThan(out.figures.sent);
    expect(out.judgement.recording.deliveries).toBeGreaterThanOrEqual(out.figures.acked * 4);
    expect(out.recorded).toBeUndefined();
    // FIX-4: relaxed for the run's own users only, and the relaxation deleted at the end.
    expect(out.notes.join('\n')).toMatch(/relaxed for the run's own users only .* with FIX-4 relaxation/);
    expect(out.notes.join('\n')).toMatch(/ended with DELETE/);
    // The server's table was never changed for everyone.
    const spec = (await (await fetch(`${server.url}/spec`)).json()) as { limits: { rateLimits: Record<string, { points: number }> } };
    expect(spec.limits.rateLimits['message:send']!.points).toBe(30);
  });

  it('realtime: the human table names every figure; --out writes the run as a report in every format', async () => {
    const out = await mkdtemp(join(tmpdir(), 'sockproof-load-report-'));
    try {
      const r = await runCli(['load', '--target', server.url, '--jwt-secret', SECRET, '--clients', '2', '--duration', '1', '--rate', '2', '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      for (const label of ['acked messages/s', 'ack latency ms', 'fan-out latency ms', 'errors by code', 'exactly once']) expect(r.stdout).toContain(label);
      expect(r.stdout).toMatch(/exactly once\s+yes/);
      const report = parseReport(await readFile(join(out, 'report.json'), 'utf8'));
      expect(report).toMatchObject({ kind: 'load', outcome: 'pass', target: { url: server.url, startedByHarness: false } });
      expect(report.results.map((x) => `${x.id} ${x.verdict}`)).toEqual(['EXACTLY-ONCE', 'RETRY-ONCE', 'SEQ-ORDER', 'DELIVERY', 'AVAILABILITY', 'CROSS-NODE-ORDER'].map((id) => `${id} pass`));
      expect(report.results[0]).toMatchObject({ figures: { history: { exactlyOnce: true }, recording: { observers: 2 } } });
      expect(r.stdout).toMatch(/history: \d+ ops, \d+ deliveries recorded \(at 2 of 2 members\), judged in \d+ ms: VALID/);
      expect(await readFile(join(out, 'junit.xml'), 'utf8')).toContain('EXACTLY-ONCE');
      const html = await readFile(join(out, 'report.html'), 'utf8');
      expect(html).toContain('sockproof spec 1.0 load');
      expect(html).toContain('<section class="timeline" id="timeline-load">');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('realtime --no-record: the figures and the exactly-once check only, one EXACTLY-ONCE result', async () => {
    const r = await runCli(['load', '--target', server.url, '--jwt-secret', SECRET, '--clients', '2', '--duration', '1', '--rate', '5', '--no-record', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.config.recorded).toBe(false);
    expect(out.judgement).toBeUndefined();
    expect(out.history).toMatchObject({ exactlyOnce: true });
  });

  it('realtime --recording-overhead: unrecorded and recorded phases in the same run, printed as ratios', async () => {
    const r = await runCli(['load', '--target', server.url, '--jwt-secret', SECRET, '--clients', '2', '--duration', '1', '--rate', '5', '--recording-overhead', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.recordingOverhead.phases.map((p: { recorded: boolean }) => p.recorded)).toEqual([false, true, true, false]);
    for (const k of ['ackedPerSecRatio', 'ackP50Ratio', 'ackP99Ratio', 'runnerCpuRatio']) expect(out.recordingOverhead[k]).toBeGreaterThan(0);
    // The printed result is a recorded phase, judged.
    expect(out.judgement.verdict).toBe('valid');
    const refused = await runCli(['load', '--target', server.url, '--jwt-secret', SECRET, '--recording-overhead', '--no-record']);
    expect(refused.code).toBe(2);
    expect(oneErrorLine(refused.stderr)).toMatch(/--recording-overhead compares recorded and unrecorded runs/);
  });

  it('http: req/s, latency percentiles, errors and non-2xx on /health/socket', async () => {
    const r = await runCli(['load', 'http', '--target', server.url, '--duration', '2', '--connections', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.kind).toBe('http');
    expect(out.config.url).toBe(`${server.url}/health/socket`);
    expect(out.figures.requests).toBeGreaterThan(0);
    expect(out.figures.reqPerSec).toBeGreaterThan(0);
    for (const k of ['p50', 'p97_5', 'p99']) expect(out.figures.latencyMs[k]).toBeGreaterThanOrEqual(0);
    expect(out.figures.errors).toBe(0);
    expect(out.figures.non2xx).toBe(0);
  });
});
