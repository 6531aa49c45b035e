import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';
import { runCli } from '../../testing/run-cli.ts';

/**
 * Each history checker against a deliberately faulty reference server (reference-server/faults): the scenario
 * that provokes the defect fails, and the checker that judges it is the one found invalid, with a counterexample.
 */
const SECRET = 'z'.repeat(40);
const BUSY = ['--clients', '5', '--rate', '20', '--phase-ms', '1000', '--json'];

interface ScenarioOut {
  name: string;
  verdict: string;
  reason: string;
  figures: Record<string, number | null | undefined>;
  checkers: { checker: string; verdict: string; counterexamples: { what: string; ops: number[] }[] }[];
}

const checker = (s: ScenarioOut, name: string) => s.checkers.find((c) => c.checker === name)!;

describe('each checker fails a faulty build', () => {
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    for (const s of servers) await s.dispose();
  });
  const scenario = async (faults: string, args: string[]): Promise<ScenarioOut> => {
    const server = await startServer({ secret: SECRET, env: { LOG_LEVEL: 'warn', SOCKPROOF_FAULTS: faults } });
    servers.push(server);
    const r = await runCli(['chaos', '--target', server.url, '--jwt-secret', SECRET, ...args, ...BUSY], 180_000);
    expect(r.code, r.stderr).toBe(1);
    return JSON.parse(r.stdout).scenarios[0] as ScenarioOut;
  };

  it('reordered-seq: history out of seq order is invalid for seq-order (and only an order problem)', async () => {
    // At most one history page (100): across pages the swapped neighbours would also repeat a message.
    const s = await scenario('reordered-seq', ['--scenarios', 'latency', '--latency-ms', '50', '--max-messages', '90']);
    expect(s.verdict, s.reason).toBe('fail');
    expect(checker(s, 'seq-order').verdict).toBe('invalid');
    expect(checker(s, 'seq-order').counterexamples[0]!.what).toMatch(/history has seq \d+ .* after seq \d+/);
    expect(checker(s, 'exactly-once').verdict).toBe('valid');
  }, 200_000);

  it('no-idempotency: a retry after a partition stored twice is invalid for retry-once', async () => {
    // The scenario holds the answers in the proxy before the cut, so sends stored then lose their acks and are retried.
    const s = await scenario('no-idempotency', ['--scenarios', 'partition', '--cut-ms', '1000']);
    expect(s.figures.retries, 'no send was retried: the cut lost no stored send\'s ack').toBeGreaterThan(0);
    expect(s.verdict, s.reason).toBe('fail');
    expect(checker(s, 'retry-once').verdict).toBe('invalid');
    expect(checker(s, 'retry-once').counterexamples[0]!.ops.length).toBeGreaterThanOrEqual(3);
  }, 200_000);
});

describe('exactly-once fails ack-before-durable under kills', () => {
  it('an acked message lost in a SIGKILL is invalid for exactly-once, its ack op the counterexample', async () => {
    const r = await runCli(
      ['chaos', '--server-cmd', `"${process.execPath}" bin/sockproof.mjs serve`, '--env', 'LOG_LEVEL=warn', '--env', 'SOCKPROOF_FAULTS=ack-before-durable', '--scenarios', 'kill', '--kills', '2', '--seed', '7', ...BUSY],
      280_000,
    );
    expect(r.code, r.stderr).toBe(1);
    const s = JSON.parse(r.stdout).scenarios[0] as ScenarioOut;
    expect(s.verdict, s.reason).toBe('fail');
    expect(checker(s, 'exactly-once').verdict).toBe('invalid');
    expect(checker(s, 'exactly-once').counterexamples[0]!.what).toMatch(/^lost/);
  }, 300_000);
});
