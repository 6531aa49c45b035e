import { existsSync, readlinkSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisAvailability } from '../availability.ts';
import { isProcessAlive } from '../exit-cleanup.ts';
import { isPortFree } from '../free-port.ts';
import type { RedisService } from '../service.ts';

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
  const leases: RedisService[] = [];
  const start = async (options?: { persist?: boolean }) => {
    const availability = options ? await redisAvailability({ sources: ['local'], ...options }) : redis;
    const lease = await availability.start();
    leases.push(lease);
    return lease;
  };
  afterAll(async () => {
    await Promise.all(leases.map((lease) => lease.stop()));
  });

  it('starts on a free loopback port and stop() leaves no process, port or files behind', async () => {
    const service = await start();
    expect(service).toMatchObject({ source: 'local', host: '127.0.0.1', keyPrefix: '', controllable: true });
    expect(await withClient(service, (c) => c.ping())).toBe('PONG');
    const pid = service.pid!;
    const dir = readlinkSync(`/proc/${pid}/cwd`);
    await service.stop();
    expect(isProcessAlive(pid)).toBe(false);
    expect(await isPortFree(service.port)).toBe(true);
    expect(existsSync(dir)).toBe(false);
    await service.stop(); // idempotent
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
