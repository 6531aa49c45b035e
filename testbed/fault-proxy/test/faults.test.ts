// Connection-level faults on real sockets: timeout, reset_peer, slow_close, disabling a proxy.
import { describe, expect, it } from 'vitest';
import { connect, delay, portOf, roundTripMs, useProxyBench } from './support.ts';

const bench = useProxyBench();
const { client } = bench;
const proxyToEcho = (name = 'p') => bench.proxyTo(bench.echo.port, name);

describe('timeout', () => {
  it('stops data and closes the connection after the timeout (tolerance +150 ms)', async () => {
    const proxy = await proxyToEcho();
    const c = await client(proxy.listen);
    await roundTripMs(c, Buffer.from('before'));
    const start = performance.now();
    await proxy.addToxic({ name: 't', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 300 } });
    c.socket.write('swallowed');
    expect(await c.untilClosed(2_000)).toBe(true);
    const ms = performance.now() - start;
    expect(c.received.toString()).toBe('before');
    expect(ms).toBeGreaterThanOrEqual(295);
    expect(ms).toBeLessThan(300 + 150);
  });

  it('with timeout 0 holds the connection open and silent until removed, then closes it', async () => {
    const proxy = await proxyToEcho();
    const c = await client(proxy.listen);
    const toxic = await proxy.addToxic({ name: 't0', type: 'timeout', stream: 'downstream', toxicity: 1, attributes: { timeout: 0 } });
    c.socket.write('held');
    await delay(400);
    expect(c.byteCount).toBe(0);
    expect(c.closed).toBe(false);
    await toxic.remove();
    // As in real Toxiproxy, taking the toxic away ends the connections it held; new ones work.
    expect(await c.untilClosed(1_000)).toBe(true);
    const fresh = await client(proxy.listen);
    await roundTripMs(fresh, Buffer.from('ok'));
  });
});

describe('reset_peer', () => {
  it('resets the client with ECONNRESET once data flows, after the timeout', async () => {
    const proxy = await proxyToEcho();
    await proxy.addToxic({ name: 'rst', type: 'reset_peer', stream: 'downstream', toxicity: 1, attributes: { timeout: 100 } });
    const c = await client(proxy.listen);
    const start = performance.now();
    c.socket.write('trigger');
    expect(await c.untilClosed(2_000)).toBe(true);
    expect(c.errorCode).toBe('ECONNRESET');
    expect(c.byteCount).toBe(0);
    expect(performance.now() - start).toBeGreaterThanOrEqual(95);
  });
});

describe('GET /proxies/{p}/accepted (sockproof extension)', () => {
  it('lists when each connection was accepted, those a reset_peer toxic turns away on their first bytes included', async () => {
    const proxy = await proxyToEcho();
    await proxy.addToxic({ name: 'rst0', type: 'reset_peer', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } });
    const from = performance.timeOrigin + performance.now();
    for (const gap of [0, 60]) {
      await delay(gap);
      const c = await client(proxy.listen);
      c.socket.write('hello');
      expect(await c.untilClosed(2_000)).toBe(true);
      expect(c.errorCode).toBe('ECONNRESET');
    }
    const until = performance.timeOrigin + performance.now();
    const answer = await fetch(`${bench.url}/proxies/${proxy.name}/accepted`);
    expect(answer.status).toBe(200);
    const { accepted } = (await answer.json()) as { accepted: number[] };
    expect(accepted).toHaveLength(2);
    for (const at of accepted) expect(at >= from && at <= until).toBe(true);
    expect(accepted[1]! - accepted[0]!).toBeGreaterThanOrEqual(55);
    expect((await fetch(`${bench.url}/proxies/nope/accepted`)).status).toBe(404);
  });
});

describe('slow_close', () => {
  it('holds the close back by the delay (tolerance +150 ms)', async () => {
    const proxy = await proxyToEcho();
    await proxy.addToxic({ name: 'sc', type: 'slow_close', stream: 'downstream', toxicity: 1, attributes: { delay: 300 } });
    const c = await client(proxy.listen);
    await roundTripMs(c, Buffer.from('data flows'));
    const start = performance.now();
    c.socket.end();
    expect(await c.untilClosed(2_000)).toBe(true);
    const ms = performance.now() - start;
    expect(ms).toBeGreaterThanOrEqual(295);
    expect(ms).toBeLessThan(300 + 150);
  });
});

describe('enabled', () => {
  it('disabling cuts live connections and refuses new ones; re-enabling listens on the same port again', async () => {
    const proxy = await proxyToEcho();
    const live = await client(proxy.listen);
    await roundTripMs(live, Buffer.from('up'));

    const off = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(off.enabled).toBe(false);
    expect(await live.untilClosed(1_000)).toBe(true);
    await expect(connect(portOf(proxy.listen))).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const on = await off.update({ enabled: true, listen: off.listen, upstream: off.upstream });
    expect(on.listen).toBe(proxy.listen);
    await roundTripMs(await client(on.listen), Buffer.from('again'));
  });

  it('closes the client when the upstream refuses', async () => {
    const proxy = await bench.toxiproxy.createProxy({ name: 'dead', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    const c = await client(proxy.listen);
    expect(await c.untilClosed(2_000)).toBe(true);
  });
});
