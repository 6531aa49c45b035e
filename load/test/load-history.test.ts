import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';
import { runCli } from '../../testing/run-cli.ts';
import { parseReport } from '../../reports/json.ts';

/**
 * A realtime load run records its history and is judged by the history checkers: against a deliberately
 * faulty reference server (reference-server/faults) the run is invalid, exit 1, with the counterexample in
 * the output and the report; the clean reference is valid (load/test/cli.test.ts). A second or two of load each.
 */
const SECRET = 'h'.repeat(40);
const LOAD = ['--clients', '4', '--duration', '1', '--rate', '10', '--json'];

interface Judged {
  judgement: { verdict: string; checkers: { checker: string; verdict: string; reason: string; counterexamples: { what: string; ops: number[] }[] }[] };
  history: { exactlyOnce: boolean };
}

const checker = (out: Judged, name: string) => out.judgement.checkers.find((c) => c.checker === name)!;

describe('a load run against a faulty server is judged invalid, with the counterexample', () => {
  const servers: ServerProcess[] = [];
  /** The ack-before-durable run's report directory, viewed in a browser below. */
  let reportDir: string | undefined;
  afterAll(async () => {
    for (const s of servers) await s.dispose();
    if (reportDir) await rm(reportDir, { recursive: true, force: true });
  });
  const faulty = async (faults: string) => {
    const server = await startServer({ secret: SECRET, env: { LOG_LEVEL: 'warn', SOCKPROOF_FAULTS: faults } });
    servers.push(server);
    return server;
  };

  it('ack-before-durable: acked ids and seqs that were never stored are invalid for exactly-once and seq-order; the report links the counterexample', async () => {
    const server = await faulty('ack-before-durable');
    const out = await mkdtemp(join(tmpdir(), 'sockproof-load-faulty-'));
    reportDir = out;
    const r = await runCli(['load', 'realtime', '--target', server.url, '--jwt-secret', SECRET, ...LOAD, '--out', out]);
    expect(r.code, r.stderr).toBe(1);
    const result = JSON.parse(r.stdout) as Judged;
    expect(result.judgement.verdict).toBe('invalid');
    const once = checker(result, 'exactly-once');
    expect(once.verdict).toBe('invalid');
    // Acked with a provisional id (and the channel's next seq, before the write two seconds later).
    expect(once.counterexamples[0]!.what).toMatch(/^(lost|mismatched): u\d+-load-\S+\/load-\S+/);
    expect(once.counterexamples[0]!.ops.length).toBeGreaterThan(0);
    expect(checker(result, 'seq-order').verdict).toBe('invalid');
    expect(checker(result, 'seq-order').counterexamples[0]!.what).toMatch(/seq \d+ acked for two different messages/);

    const report = parseReport(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.outcome).toBe('fail');
    const row = report.results.find((x) => x.id === 'EXACTLY-ONCE')!;
    expect(row.verdict).toBe('fail');
    expect(row.evidence.map((e) => ('text' in e ? e.text : '')).join('\n')).toContain(`counterexample: ${once.counterexamples[0]!.what}`);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<section class="timeline" id="timeline-load">');
    expect(html).toContain('href="#ce-load-exactly-once-0"');
    expect(await readFile(join(out, 'junit.xml'), 'utf8')).toMatch(/<testcase[^>]*name="[^"]*EXACTLY-ONCE[^"]*"[^>]*>\s*<failure/);
  }, 120_000);

  const chromium = '/usr/bin/chromium';
  it.skipIf(!existsSync(chromium))(`the ack-before-durable report, viewed in headless chromium: the timeline, the failed checker linking to its counterexample (skipped when ${chromium} is absent)`, async () => {
    expect(reportDir, 'the ack-before-durable run above wrote no report').toBeDefined();
    const { stdout: dom } = await promisify(execFile)(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', `file://${join(reportDir!, 'report.html')}`], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    expect(dom).toMatch(/<svg[^>]*aria-label="timeline of load"/);
    expect(dom).toMatch(/<a class="checker-link" href="#ce-load-exactly-once-0">exactly-once<\/a>/);
    expect(dom).toMatch(/<li id="ce-load-exactly-once-0">(lost|mismatched): /);
    expect(dom).toContain('class="counterexample"');
  }, 90_000);

  it('no-idempotency: the acked clientMsgId is not what was stored, invalid for exactly-once', async () => {
    const server = await faulty('no-idempotency');
    const r = await runCli(['load', 'realtime', '--target', server.url, '--jwt-secret', SECRET, ...LOAD]);
    expect(r.code, r.stderr).toBe(1);
    const result = JSON.parse(r.stdout) as Judged;
    expect(result.judgement.verdict).toBe('invalid');
    expect(result.history.exactlyOnce).toBe(false);
    const once = checker(result, 'exactly-once');
    expect(once.verdict).toBe('invalid');
    expect(once.counterexamples[0]!.what).toMatch(/^lost: .* not in the final read/);
  }, 120_000);
});
