import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisAvailability } from '../availability.ts';
import { isProcessAlive } from '../exit-cleanup.ts';
import type { RedisService } from '../service.ts';
import { expectCleanStop, keepLeases } from './support.ts';

// Local servers only: these tests kill and restart, and check pids and data dirs.
const redis = await redisAvailability({ sources: ['local'], needsControl: true });

/** A client that gives up at once instead of reconnecting forever, so a dead server fails the test fast. */
async function withClient<T>(service: RedisService, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(service.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {}); // the failure surfaces through connect()/the command; no stray log line
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

describe.skipIf(redis.skip)('local Redis', () => {
  const keep = keepLeases<RedisService>();
  const start = async (options?: { persist?: boolean }) => {
    const availability = options ? await redisAvailability({ sources: ['local'], ...options }) : redis;
    return keep(await availability.start());
  };

  it('starts on a free loopback port and stop() leaves no process, port or files behind', async () => {
    const service = await start();
    expect(service).toMatchObject({ source: 'local', host: '127.0.0.1', keyPrefix: '', controllable: true });
    expect(await withClient(service, (c) => c.ping())).toBe('PONG');
    await expectCleanStop(service);
  });

  it('two concurrent leases do not share data', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a!.port).not.toBe(b!.port);
    await withClient(a!, (c) => c.set('room', 'a'));
    expect(await withClient(b!, (c) => c.get('room'))).toBeNull();
  });

  it('restart() comes back on the same port; with persist, data survives kill -9', async () => {
    const service = await start({ persist: true });
    const { port } = service;
    await withClient(service, (c) => c.set('kept', 'yes'));
    await service.restart();
    expect(service.port).toBe(port);
    expect(await withClient(service, (c) => c.get('kept'))).toBe('yes');

    const pid = service.pid!;
    await service.kill('SIGKILL');
    expect(isProcessAlive(pid)).toBe(false);
    expect(service.pid).toBeUndefined();
    await expect(withClient(service, (c) => c.ping())).rejects.toThrow();
    await service.restart();
    expect(service.pid).not.toBe(pid);
    expect(await withClient(service, (c) => c.get('kept'))).toBe('yes');
  });

  it('SIGSTOP freezes the server and stop() still ends it', async () => {
    const service = await start();
    const pid = service.pid!;
    await service.kill('SIGSTOP');
    expect(isProcessAlive(pid)).toBe(true);
    await service.stop();
    expect(isProcessAlive(pid)).toBe(false);
  });
});
