// Toxics measured on real traffic: bytes through, latency, bandwidth, slicing, limits, toxicity.
import { describe, expect, it } from 'vitest';
import { pattern, roundTripMs, startSourceServer, useProxyBench } from './support.ts';

const bench = useProxyBench();
const { proxyTo, keepServer } = bench;
const client = (proxy: { listen: string }) => bench.client(proxy.listen);

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('plain forwarding', () => {
  it('carries 4 MB both ways intact and reports throughput and added round-trip time', async () => {
    const proxy = await proxyTo(bench.echo.port);
    const c = await client(proxy);
    const payload = pattern(4 * 1024 * 1024);
    const ms = await roundTripMs(c, payload, 20_000);
    expect(c.received.equals(payload)).toBe(true);

    const direct = await bench.client(bench.echo.port);
    const small = Buffer.from('x');
    const viaProxy: number[] = [];
    const straight: number[] = [];
    for (let i = 0; i < 20; i++) {
      viaProxy.push(await roundTripMs(c, small));
      straight.push(await roundTripMs(direct, small));
    }
    const overhead = median(viaProxy) - median(straight);
    console.info(
      `[fault-proxy] echo 4 MiB each way in ${ms.toFixed(0)} ms (${((8 * 1024 * 1024) / 1e6 / (ms / 1000)).toFixed(0)} MB/s total); ` +
        `median RTT proxy ${median(viaProxy).toFixed(3)} ms vs direct ${median(straight).toFixed(3)} ms`,
    );
    // Tolerance: a loaded 2-core box; the proxy must not add more than a few ms to a round trip.
    expect(overhead).toBeLessThan(5);
  });
});

describe('latency', () => {
  it('adds the configured delay to the chosen direction only (tolerance -2/+80 ms)', async () => {
    const proxy = await proxyTo(bench.echo.port);
    const c = await client(proxy);
    const base = await roundTripMs(c, Buffer.from('warm'));
    await proxy.addToxic({ name: 'down', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 150, jitter: 0 } });
    const down = await roundTripMs(c, Buffer.from('a'));
    await proxy.addToxic({ name: 'up', type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 100, jitter: 0 } });
    const both = await roundTripMs(c, Buffer.from('b'));
    console.info(`[fault-proxy] latency: base ${base.toFixed(1)} ms, +150 down ${down.toFixed(1)} ms, +100 up ${both.toFixed(1)} ms`);
    expect(down).toBeGreaterThanOrEqual(148);
    expect(down).toBeLessThan(150 + 80);
    expect(both).toBeGreaterThanOrEqual(248);
    expect(both).toBeLessThan(250 + 80);

    // Removing the toxic takes effect on the live connection.
    await (await proxy.getToxic('down')).remove();
    await (await proxy.getToxic('up')).remove();
    expect(await roundTripMs(c, Buffer.from('c'))).toBeLessThan(50);
  });

  it('keeps jitter within latency ± jitter', async () => {
    const proxy = await proxyTo(bench.echo.port);
    const c = await client(proxy);
    await proxy.addToxic({ name: 'j', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 60, jitter: 30 } });
    const samples: number[] = [];
    for (let i = 0; i < 8; i++) samples.push(await roundTripMs(c, Buffer.from('j')));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(60 - 30 - 2);
    expect(Math.max(...samples)).toBeLessThan(60 + 30 + 60);
  });
});

describe('bandwidth', () => {
  it('paces 120 kB at rate 200 KB/s to about 600 ms (tolerance 480-1100 ms)', async () => {
    const source = keepServer(await startSourceServer(120_000));
    const proxy = await proxyTo(source.port);
    await proxy.addToxic({ name: 'bw', type: 'bandwidth', stream: 'downstream', toxicity: 1, attributes: { rate: 200 } });
    const start = performance.now();
    const c = await client(proxy);
    expect(await c.untilBytes(120_000, 5_000)).toBe(true);
    const ms = performance.now() - start;
    console.info(`[fault-proxy] bandwidth 200 KB/s: 120 kB in ${ms.toFixed(0)} ms (${(120 / (ms / 1000)).toFixed(0)} KB/s)`);
    expect(ms).toBeGreaterThan(480);
    expect(ms).toBeLessThan(1_100);
    expect(c.received.equals(pattern(120_000))).toBe(true);
  });
});

describe('slicer', () => {
  it('splits one 2 kB write into many small reads with gaps between them', async () => {
    const source = keepServer(await startSourceServer(2_000));
    const proxy = await proxyTo(source.port);
    await proxy.addToxic({
      name: 'slice',
      type: 'slicer',
      stream: 'downstream',
      toxicity: 1,
      attributes: { average_size: 100, size_variation: 20, delay: 3_000 },
    });
    const c = await client(proxy);
    expect(await c.untilBytes(2_000, 5_000)).toBe(true);
    expect(c.received.equals(pattern(2_000))).toBe(true);
    // ~16-20 slices 3 ms apart; reads may merge a little under load, never back into one.
    expect(c.reads.length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...c.reads.map((r) => r.bytes))).toBeLessThanOrEqual(400);
    expect(c.reads.at(-1)!.at - c.reads[0]!.at).toBeGreaterThan(30);
  });
});

describe('limit_data', () => {
  it('lets exactly N bytes through to the client, then closes the connection', async () => {
    const proxy = await proxyTo(bench.echo.port);
    await proxy.addToxic({ name: 'cap', type: 'limit_data', stream: 'downstream', toxicity: 1, attributes: { bytes: 1_000 } });
    const c = await client(proxy);
    c.socket.write(pattern(600));
    expect(await c.untilBytes(600, 2_000)).toBe(true);
    c.socket.write(pattern(600));
    expect(await c.untilClosed(2_000)).toBe(true);
    expect(c.byteCount).toBe(1_000);
    expect(c.received.subarray(600)).toEqual(pattern(600).subarray(0, 400));
  });
});

describe('toxicity', () => {
  it('toxicity 0 leaves connections alone; toxicity 1 hits every connection', async () => {
    const proxy = await proxyTo(bench.echo.port);
    await proxy.addToxic({ name: 'never', type: 'latency', stream: 'downstream', toxicity: 0, attributes: { latency: 300, jitter: 0 } });
    for (let i = 0; i < 3; i++) {
      expect(await roundTripMs(await client(proxy), Buffer.from('n'))).toBeLessThan(100);
    }
    const never = await proxy.getToxic('never');
    await never.update({ ...never.toJson(), toxicity: 1 });
    for (let i = 0; i < 2; i++) {
      expect(await roundTripMs(await client(proxy), Buffer.from('y'))).toBeGreaterThanOrEqual(298);
    }
  });
});
