// The start-up wait and the periodic checks, each alone, against a real HTTP server on 127.0.0.1
// whose answers the test sets, and a server exit the test fires.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchHealth, type PeriodicCheck } from '../health-watch.ts';
import type { ExitInfo } from '../process-group.ts';
import { waitUntilHealthy } from '../startup.ts';
import { watchExit } from '../waits.ts';

let server: Server;
let port: number;
/** The status the server answers with; 0 closes the connection without an answer. */
let answer = 200;
let dir: string;

beforeEach(async () => {
  answer = 200;
  server = createServer((req, res) => (answer === 0 ? req.socket.destroy() : res.writeHead(answer).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  dir = mkdtempSync(join(tmpdir(), 'sockproof-sup-parts-'));
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function exitSource() {
  let fire!: (exit: ExitInfo) => void;
  const watch = watchExit(new Promise<ExitInfo>((resolve) => (fire = resolve)));
  return { watch, fire };
}

describe('start-up wait', { timeout: 30_000 }, () => {
  it('is healthy once the server reports its port and answers 2xx on it', async () => {
    const portFile = join(dir, 'port');
    setTimeout(() => writeFileSync(portFile, `${port}\n`), 300);
    const outcome = await waitUntilHealthy(exitSource().watch, { portFile, startupTimeoutMs: 20_000, healthTimeoutMs: 2_000, stop: new AbortController().signal });
    expect(outcome).toEqual({ kind: 'healthy', port, url: `http://127.0.0.1:${port}/health/socket` });
  });

  it('times out with what the last check saw', async () => {
    answer = 503;
    const outcome = await waitUntilHealthy(exitSource().watch, {
      portFile: join(dir, 'none'),
      healthUrl: `http://127.0.0.1:${port}/health/socket`,
      startupTimeoutMs: 500,
      healthTimeoutMs: 2_000,
      stop: new AbortController().signal,
    });
    expect(outcome).toEqual({ kind: 'failure', cause: { reason: 'startup-timeout', exit_code: null, signal: null, message: 'server not healthy within SOCKETIO_STARTUP_TIMEOUT=0.5s (last check: HTTP 503)' } });
  });

  it("ends at the server's exit, and at a stop request", async () => {
    const { watch, fire } = exitSource();
    const opts = { portFile: join(dir, 'none'), startupTimeoutMs: 20_000, healthTimeoutMs: 2_000 };
    setTimeout(() => fire({ code: 3, signal: null }), 200);
    expect(await waitUntilHealthy(watch, { ...opts, stop: new AbortController().signal })).toEqual({
      kind: 'failure',
      cause: { reason: 'startup-exit', exit_code: 3, signal: null, message: 'server exited with code 3 before it became healthy' },
    });
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 200);
    expect(await waitUntilHealthy(exitSource().watch, { ...opts, stop: stop.signal })).toEqual({ kind: 'stop' });
  });
});

describe('periodic checks', { timeout: 30_000 }, () => {
  const url = () => `http://127.0.0.1:${port}/health/socket`;
  const opts = (stop = new AbortController().signal) => ({ intervalMs: 20, timeoutMs: 2_000, stop, exitSettleMs: 100 });

  it('reports each check until told it is enough', async () => {
    const checks: PeriodicCheck[] = [];
    const end = await watchHealth(exitSource().watch, url(), opts(), (check) => {
      checks.push(check);
      answer = checks.length >= 2 ? 503 : 200;
      return checks.length === 4 ? 'done' : 'continue';
    });
    expect(end).toEqual({ kind: 'done' });
    expect(checks.map((c) => (c.kind === 'passed' ? 'passed' : c.error))).toEqual(['passed', 'passed', 'HTTP 503', 'HTTP 503']);
    for (let i = 1; i < checks.length; i++) expect(checks[i]!.atMs).toBeGreaterThanOrEqual(checks[i - 1]!.atMs);
  });

  it('a refused check followed by the exit is the exit, not a failed check', async () => {
    const { watch, fire } = exitSource();
    answer = 0;
    const checks: PeriodicCheck[] = [];
    const end = watchHealth(watch, url(), { ...opts(), exitSettleMs: 20_000 }, (check) => (checks.push(check), 'continue'));
    // The exit comes while the refused check waits to see whether it was one.
    setTimeout(() => fire({ code: null, signal: 'SIGKILL' }), 500);
    expect(await end).toMatchObject({ kind: 'exit', exit: { code: null, signal: 'SIGKILL' }, refusedCheckAtMs: expect.any(Number) });
    expect(checks).toEqual([]);
  });

  it('a refused check with no exit after the settle counts as failed', async () => {
    answer = 0;
    const end = await watchHealth(exitSource().watch, url(), opts(), (check) => {
      expect(check).toMatchObject({ kind: 'failed', error: 'ECONNRESET' });
      return 'done';
    });
    expect(end).toEqual({ kind: 'done' });
  });

  it('ends at a stop request', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 200);
    expect(await watchHealth(exitSource().watch, url(), opts(stop.signal), () => 'continue')).toEqual({ kind: 'stop' });
  });
});
