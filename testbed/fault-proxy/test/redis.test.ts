// A real Redis behind the fault proxy, driven with ioredis: faults make commands fail, recovery restores them.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Proxy } from 'toxiproxy-node-client';
import { delay, startHarness } from './support.ts';

let harness: Awaited<ReturnType<typeof startHarness>>;
let redisServer: ChildProcess | undefined;
let redisPort = 0;
let redis: Redis | undefined;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Retries `attempt` every 50 ms until it succeeds or `timeoutMs` passes; returns whether it succeeded. */
async function eventually(attempt: () => Promise<unknown>, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      await attempt();
      return true;
    } catch {
      await delay(50);
    }
  }
  return false;
}

beforeAll(async () => {
  harness = await startHarness();
  redisPort = await freePort();
  // Throw-away Redis: no persistence, loopback only; killed in afterAll.
  redisServer = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const probe = new Redis({ host: '127.0.0.1', port: redisPort, lazyConnect: true, retryStrategy: () => null });
  probe.on('error', () => {});
  const up = await eventually(async () => {
    await probe.connect().catch(() => {});
    await probe.ping();
  }, 10_000);
  probe.disconnect();
  if (!up) throw new Error(`redis-server did not start on port ${redisPort}`);
});

afterAll(async () => {
  redis?.disconnect();
  if (redisServer && redisServer.exitCode === null) {
    const exited = once(redisServer, 'exit');
    redisServer.kill('SIGKILL');
    await exited;
  }
  await harness?.dispose();
});

describe('Redis through the fault proxy', () => {
  it('a timeout toxic or a disabled proxy makes commands fail; removing or re-enabling restores them', async () => {
    let proxy: Proxy = await harness.toxiproxy.createProxy({
      name: 'redis',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${redisPort}`,
    });
    const port = Number(proxy.listen.split(':').at(-1));
    redis = new Redis({
      host: '127.0.0.1',
      port,
      commandTimeout: 300,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => 50,
      lazyConnect: true,
    });
    redis.on('error', () => {});
    await redis.connect();
    await redis.set('sockproof:key', 'kept');
    expect(await redis.get('sockproof:key')).toBe('kept');

    const toxic = await proxy.addToxic({ name: 'stall', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } });
    await expect(redis.get('sockproof:key')).rejects.toThrow(/timed out/i);
    await toxic.remove();
    expect(await eventually(() => redis!.ping(), 3_000)).toBe(true);
    expect(await redis.get('sockproof:key')).toBe('kept');

    proxy = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await expect(eventually(() => redis!.ping(), 600)).resolves.toBe(false);
    proxy = await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    expect(await eventually(() => redis!.ping(), 3_000)).toBe(true);
    expect(await redis.get('sockproof:key')).toBe('kept');
  });
});
