import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailability, redisAvailability } from '../availability.ts';
import { ServiceNotControllableError, type PostgresService, type RedisService } from '../service.ts';

// The "shared" servers given by URL are private local ones this file starts, never the machine's own.
const localRedis = await redisAvailability({ sources: ['local'] });
const localPostgres = await postgresAvailability({ sources: ['local'] });

describe.skipIf(localRedis.skip)('Redis from REDIS_URL', () => {
  let shared: RedisService;
  let admin: Redis;
  beforeAll(async () => {
    shared = await localRedis.start();
    admin = new Redis(shared.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await shared?.stop();
  });

  it('gives each lease its own key prefix and stop() deletes only that prefix', async () => {
    await admin.set('someone-else', 'untouched');
    const fromUrl = await redisAvailability({ sources: ['url'], env: { REDIS_URL: shared.url } });
    expect(fromUrl.source).toBe('url');
    const [a, b] = await Promise.all([fromUrl.start(), fromUrl.start()]);
    expect(a).toMatchObject({ source: 'url', url: shared.url, port: shared.port, controllable: false });
    expect(a!.keyPrefix).toMatch(/^sockproof:[0-9a-f]+:$/);
    expect(a!.keyPrefix).not.toBe(b!.keyPrefix);

    const client = new Redis(a!.url, { keyPrefix: a!.keyPrefix });
    for (let i = 0; i < 50; i++) await client.set(`k${i}`, 'v');
    client.disconnect();
    await admin.set(`${b!.keyPrefix}mine`, 'b');

    await a!.stop();
    expect(await admin.keys(`${a!.keyPrefix}*`)).toEqual([]);
    expect(await admin.get(`${b!.keyPrefix}mine`)).toBe('b');
    expect(await admin.get('someone-else')).toBe('untouched');
    await b!.stop();
    expect(await admin.dbsize()).toBe(1);
  });

  it('refuses kill/restart, and a suite that needs them does not use the URL', async () => {
    const lease = await (await redisAvailability({ sources: ['url'], env: { REDIS_URL: shared.url } })).start();
    await expect(lease.kill()).rejects.toBeInstanceOf(ServiceNotControllableError);
    await expect(lease.restart()).rejects.toBeInstanceOf(ServiceNotControllableError);
    await lease.stop();
    const needsControl = await redisAvailability({ sources: ['url'], env: { REDIS_URL: shared.url }, needsControl: true, quiet: true });
    expect(needsControl.skip).toMatch(/REDIS_URL ignored/);
  });

  it('a bad or silent REDIS_URL fails with one line', async () => {
    const bad = await redisAvailability({ sources: ['url'], env: { REDIS_URL: 'http://x' } });
    await expect(bad.start()).rejects.toThrow(/^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL, got "http:\/\/x\/?"$/);
    const silent = await redisAvailability({ sources: ['url'], env: { REDIS_URL: 'redis://:secret@127.0.0.1:1' } });
    await expect(silent.start()).rejects.toThrow(/^REDIS_URL redis:\/\/:\*\*\*@127\.0\.0\.1:1 did not answer/);
  });
});

describe.skipIf(localPostgres.skip)('PostgreSQL from DATABASE_URL', () => {
  let shared: PostgresService;
  const databases = async (): Promise<string[]> => {
    const client = new pg.Client(shared.url);
    await client.connect();
    try {
      return (await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'sockproof_%'")).rows.map((r) => r.datname);
    } finally {
      await client.end();
    }
  };
  beforeAll(async () => {
    shared = await localPostgres.start();
  });
  afterAll(async () => {
    await shared?.stop();
  });

  it('creates a database per lease and drops it at stop(), even with a session left open', async () => {
    const fromUrl = await postgresAvailability({ sources: ['url'], env: { DATABASE_URL: shared.url } });
    const [a, b] = await Promise.all([fromUrl.start(), fromUrl.start()]);
    expect(a).toMatchObject({ source: 'url', host: '127.0.0.1', port: shared.port, controllable: false });
    expect(a!.database).toMatch(/^sockproof_[0-9a-f]+$/);
    expect(a!.url).toBe(shared.url.replace(/\/postgres$/, `/${a!.database}`));
    expect((await databases()).sort()).toEqual([a!.database, b!.database].sort());

    const leaked = new pg.Client(a!.url); // a test that forgot to close its connection
    leaked.on('error', () => {});
    await leaked.connect();
    await leaked.query('CREATE TABLE t (id int)');
    await a!.stop();
    expect(await databases()).toEqual([b!.database]);
    await b!.stop();
    expect(await databases()).toEqual([]);
    await leaked.end().catch(() => {});
  });

  it('refuses kill/restart', async () => {
    const lease = await (await postgresAvailability({ sources: ['url'], env: { DATABASE_URL: shared.url } })).start();
    await expect(lease.kill()).rejects.toBeInstanceOf(ServiceNotControllableError);
    await lease.stop();
  });
});
