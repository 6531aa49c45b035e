import { describe, expect, it } from 'vitest';
import { reportHeadline } from '../../../reports/headline.ts';
import { runCli } from '../../../testing/run-cli.ts';
import { expectCaught } from './clause-catches.ts';
import { runAgainstReference, verdicts } from './harness.ts';

/**
 * C21 against the reference server under sockproof's own supervisor (`sockproof daemon start --foreground`),
 * as `sockproof conformance` runs it by default; the faulty builds that fail it are rows of faulty-servers.test.ts.
 */
describe('C21: the target under its supervisor, after an exception outside any handler (OPS-4, FIX-5)', () => {
  it('the reference server exits, its supervisor restarts it, it serves again with the acked message kept; the evidence says each step', async () => {
    const report = await runAgainstReference(['C21']);
    const c21 = report.results.find((r) => r.id === 'C21')!;
    expect(c21.verdict, c21.message).toBe('pass');
    const said = c21.evidence.map((e) => ('text' in e ? e.text : 'expected' in e ? `${e.expected} => ${e.actual}` : '')).join('\n');
    expect(said).toMatch(/POST \/admin\/fatal with the admin token answers 202/);
    expect(said).toMatch(/the socket opened before closes/);
    expect(said).toMatch(/exit codes of the server in the supervisor's output: 1 \(in \d+ lines\)/);
    expect(said).toMatch(/serving again \d+ ms after the fatal fixture answered/);
    expect(said).toMatch(/every message acked before the exception is in history after the restart/);
    expect(said).toMatch(/a fatal log line in the supervisor command's output/);
    // The deployment part needs a peer (reference-deps.test.ts runs it): on one node the evidence says it was left out.
    expect(said).toMatch(/single node: the deployment part \(the other node serves on, the restarted node rejoins\) needs a peer/);
    expect(report.outcome).toBe('pass');
    expect(reportHeadline(report)).toBe('conformant, single node + supervisor: 2 of 2 checks passed');
  }, 300_000);

  it('without a supervisor command C21 is not run, and the headline names the flag that runs it', async () => {
    const report = await runAgainstReference(['C21'], { extra: { supervisorCommand: undefined } });
    expect(verdicts(report)).toEqual({ V01: 'pass', C21: 'unimplemented' });
    expect(report.results.find((r) => r.id === 'C21')!.missing).toEqual(['supervisor']);
    expect(reportHeadline(report)).toContain('1 not run; run them with: sockproof conformance --supervisor-cmd "<command that starts your server under its supervisor>"');
  }, 180_000);

  it('`sockproof conformance` runs C21 under sockproof\'s supervisor by default when it starts the reference server; --supervisor-cmd needs a target it starts', async () => {
    const run = await runCli(['conformance', '--only', 'C21', '--quiet'], 180_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n').at(-1)).toBe('conformant, single node + supervisor: 2 of 2 checks passed');
    const attached = await runCli(['conformance', '--target', 'http://127.0.0.1:9', '--jwt-secret', 'x'.repeat(32), '--supervisor-cmd', 'sockproof daemon start --foreground']);
    expect(attached.code).toBe(2);
    expect(attached.stderr).toBe('sockproof: --supervisor-cmd needs a target the harness starts (--server-cmd or none), not --target\n');
  }, 240_000);

  it('any supervisor command will do: a shell loop that restarts the server until it exits 0 (Restart=on-failure in one line) passes C21 with a clean build, fails it with fatal-exits-zero', async () => {
    const loop = `sh -c 'until "${process.execPath}" bin/sockproof.mjs serve; do sleep 0.2; done'`;
    const clean = await runAgainstReference(['C21'], { extra: { supervisorCommand: loop } });
    const c21 = clean.results.find((r) => r.id === 'C21')!;
    expect(c21.verdict, c21.message).toBe('pass');
    // The loop passes the server's output on as is: its fatal line is seen; it logs no exit codes of its own.
    const notes = c21.evidence.flatMap((e) => ('text' in e ? [e.text] : []));
    expect(notes.some((t) => t.startsWith('a fatal log line in the supervisor command\'s output (OPS-4): …"level":"fatal"')), notes.join('\n')).toBe(true);
    expect(notes.some((t) => t.startsWith('exit codes of the server'))).toBe(false);
    const zero = await runAgainstReference(['C21'], { faults: ['fatal-exits-zero'], extra: { supervisorCommand: loop } });
    const failed = zero.results.find((r) => r.id === 'C21')!;
    expect(failed.verdict).toBe('fail');
    expect(failed.message).toMatch(/the supervisor command exited \(code 0\)/);
  }, 300_000);
  // FIX-5 and OPS-4's "acked messages kept", each failed at its own step of C21 (issue 13).
  for (const { fault, step } of [
    // The fixture throws where the router catches it: 500, no exception outside any handler, the process lives.
    { fault: 'fatal-thrown-in-handler', step: /^POST \/admin\/fatal with the admin token answers 202 \{throwsInMs\} \(FIX-5\)$/ },
    // The restarted process stores in a directory of its own (S10's fault): the channel made before the exception is gone with its messages.
    { fault: 'data-dir-ignored', step: /^channel:join after the restart acked ok$/ },
  ]) {
    it(`catches SOCKPROOF_FAULTS=${fault}: C21 fails at ${step}`, async () => {
      const report = await runAgainstReference(['C21'], { faults: [fault] });
      expectCaught(report, [{ fault, check: 'C21', step }], []);
    }, 300_000);
  }
});
