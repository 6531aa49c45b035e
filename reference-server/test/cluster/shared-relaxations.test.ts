// FIX-4's relaxations shared through a real Redis: what one node writes another reads, only when it changed.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAvailability, type RedisService } from '../../../testbed/services/index.ts';
import { redisRelaxationShare } from '../../cluster/shared-relaxations.ts';
import type { RelaxationRecord } from '../../resilience/relaxation-table.ts';
import { RelaxationTable } from '../../resilience/relaxation-table.ts';
import { Relaxations } from '../../resilience/relaxations.ts';

const redis = await redisAvailability();

const record = (id: string, expiresAt: number): RelaxationRecord => ({ id, users: ['a'], limits: { 'message:send': { points: 9, durationMs: 1_000 } }, ttlMs: 1_000, expiresAt });

describe.skipIf(redis.skip)('relaxations shared through Redis (FIX-4)', () => {
  let lease: RedisService;
  let clients: Redis[];
  beforeAll(async () => {
    lease = await redis.start();
    clients = [new Redis(lease.url), new Redis(lease.url)];
  });
  afterAll(async () => {
    for (const c of clients ?? []) c.disconnect();
    await lease?.stop();
  });

  it('reads the set only when a write moved the counter; a delete and an expiry reach the other node', async () => {
    const prefix = `${lease.keyPrefix}fix4-${Date.now()}:`;
    const [one, two] = clients.map((c) => redisRelaxationShare(c, prefix)) as [ReturnType<typeof redisRelaxationShare>, ReturnType<typeof redisRelaxationShare>];
    const first = await two.loadAll();
    expect(first?.records).toEqual([]);
    expect(await two.loadAll(first!.version)).toBeUndefined(); // nothing written since
    await one.save(record('r1', Date.now() + 60_000));
    const second = await two.loadAll(first!.version);
    expect(second?.records.map((r) => r.id)).toEqual(['r1']);
    expect(await two.loadAll(second!.version)).toBeUndefined();
    expect(await one.remove('r1')).toBe(true);
    expect(await one.remove('r1')).toBe(false);
    expect((await two.loadAll(second!.version))?.records).toEqual([]);

    // Expired records are pruned by the node that reads them, unless renewed meanwhile.
    let now = 0;
    const node = new Relaxations(new RelaxationTable(() => now), two);
    await one.save(record('old', 10));
    await one.save(record('old-too', 10));
    now = 20;
    await node.sync();
    expect(node.table.live()).toEqual([]);
    const hash = await clients[0]!.hgetall(`${prefix}relaxations`);
    expect(Object.keys(hash)).toEqual([]);
  });

  it('prunes only what it read: a relaxation renewed after the read stays', async () => {
    const prefix = `${lease.keyPrefix}fix4-renew-${Date.now()}:`;
    const reader = redisRelaxationShare(clients[1]!, prefix);
    const writer = redisRelaxationShare(clients[0]!, prefix);
    await writer.save(record('r', 10));
    expect((await reader.loadAll())?.records.map((r) => r.expiresAt)).toEqual([10]);
    await writer.save(record('r', Date.now() + 60_000)); // renewed after the read
    await reader.prune(['r']);
    expect((await reader.loadAll())?.records.map((r) => r.id)).toEqual(['r']);
  });
});
