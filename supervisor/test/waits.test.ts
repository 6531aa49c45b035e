// The supervisor's waits against a real HTTP server on 127.0.0.1 that accepts connections and
// never answers (as a server stopped with SIGSTOP does): whatever ends a wait first, the health
// probe that lost the race is cancelled and its connection closed, not left open until its timeout.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkHealth } from '../health.ts';
import type { ExitInfo } from '../process-group.ts';
import { race, watchExit } from '../waits.ts';

/** Far longer than any test here waits: a probe still open when the test ends was not cancelled. */
const PROBE_TIMEOUT_MS = 120_000;

let server: Server;
let url: string;
let requests: IncomingMessage[];

beforeEach(async () => {
  requests = [];
  server = createServer((req) => requests.push(req));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health/socket`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Resolves once the server has seen the probe's request, with a promise of that connection's close. */
async function probeArrived(): Promise<{ closed: Promise<void> }> {
  while (requests.length === 0) await new Promise((r) => setTimeout(r, 10));
  const socket = requests[0]!.socket;
  return { closed: socket.destroyed ? Promise.resolve() : new Promise<void>((resolve) => socket.once('close', () => resolve())) };
}

describe('race() cancels the health probe that lost', { timeout: 30_000 }, () => {
  it('a stop request ends the wait and closes the probe connection', async () => {
    const stop = new AbortController();
    const outcome = race((signal) => checkHealth(url, PROBE_TIMEOUT_MS, signal), undefined, stop.signal);
    const { closed } = await probeArrived();
    stop.abort();
    expect(await outcome).toEqual({ kind: 'stop' });
    await closed;
  });

  it("the server's exit ends the wait and closes the probe connection", async () => {
    let exit!: (info: ExitInfo) => void;
    const watch = watchExit(new Promise<ExitInfo>((resolve) => (exit = resolve)));
    const outcome = race((signal) => checkHealth(url, PROBE_TIMEOUT_MS, signal), watch, new AbortController().signal);
    const { closed } = await probeArrived();
    exit({ code: null, signal: 'SIGKILL' });
    expect(await outcome).toEqual({ kind: 'exit', exit: { code: null, signal: 'SIGKILL' } });
    await closed;
  });

  it('a probe asked for after the stop does not connect at all', async () => {
    const stop = new AbortController();
    stop.abort();
    expect(await checkHealth(url, PROBE_TIMEOUT_MS, stop.signal)).toEqual({ ok: false, error: 'cancelled', cancelled: true });
    expect(await race((signal) => checkHealth(url, PROBE_TIMEOUT_MS, signal), undefined, stop.signal)).toEqual({ kind: 'stop' });
    await new Promise((r) => setTimeout(r, 100));
    expect(requests).toEqual([]);
  });

  it('a probe that wins the race reports the answer', async () => {
    server.removeAllListeners('request');
    server.on('request', (_req, res) => res.writeHead(204).end());
    expect(await race((signal) => checkHealth(url, PROBE_TIMEOUT_MS, signal), undefined, new AbortController().signal)).toEqual({ kind: 'value', value: { ok: true, status: 204 } });
  });
});
