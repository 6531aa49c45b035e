// Redis cut between two nodes through the fault proxy (DEG-1, DEG-2, DEG-5, DEG-6): local delivery goes on,
// health is degraded, held cross-node sends arrive after the heal (bounded, oldest dropped), backoff grows.
// Timings: REDIS_RECONNECT_MIN_MS=100, MAX_MS=800 (FAST_ENV); CROSS_NODE_BUFFER_MAX=5; the cut lasts ~3 s.
import { randomUUID } from 'node:crypto';
import type { Proxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailability, redisAvailability, type PostgresService, type RedisService } from '../../../testbed/services/index.ts';
import { connectToxiproxy, type ToxiproxyConnection } from '../../../testbed/fault-proxy/connect.ts';
import { HealthResponse, SocketMetrics, type Message } from '../../../spec/index.ts';
import { getJson } from '../../../testing/admin.ts';
import { connectUser, type ChatClient } from '../../../testbed/clients/chat-client.ts';
import type { ServerProcess } from '../../../testing/server-process.ts';
import { setEnabled, sleep, startNodes, throughProxy, waitFor } from './support.ts';

const redis = await redisAvailability();
const postgres = await postgresAvailability();
const BUFFER_MAX = 5;

describe.skipIf(redis.skip ?? postgres.skip)('Redis cut between two nodes', () => {
  let redisLease: RedisService;
  let pgLease: PostgresService;
  let proxyConn: ToxiproxyConnection;
  let proxy: Proxy;
  let nodes: ServerProcess[] = [];
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    [redisLease, pgLease, proxyConn] = await Promise.all([redis.start(), postgres.start(), connectToxiproxy()]);
    const route = await throughProxy(proxyConn.toxiproxy, `redis-${randomUUID()}`, redisLease.url);
    proxy = route.proxy;
    nodes = await startNodes(2, {
      REDIS_URL: route.url,
      DATABASE_URL: pgLease.url,
      CROSS_NODE_BUFFER_MAX: String(BUFFER_MAX),
      ...(redisLease.keyPrefix ? { REDIS_KEY_PREFIX: redisLease.keyPrefix } : {}),
    });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(nodes.map((n) => n.dispose()));
    await proxyConn?.close();
    await Promise.all([redisLease?.stop(), pgLease?.stop()]);
  });

  it('keeps local delivery, reports degraded, and delivers the newest held sends after the heal', async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const alice = await connectUser(a, 'alice');
    const amy = await connectUser(a, 'amy');
    const bob = await connectUser(b, 'bob');
    clients.push(alice, amy, bob);
    for (const c of [alice, amy, bob]) expect((await c.call('channel:join', { channelId: 'general' })).ok).toBe(true);
    const warm = await alice.call('message:send', { channelId: 'general', text: 'warm-up', clientMsgId: randomUUID() });
    expect(warm.ok).toBe(true);
    await bob.next('message:new', 5_000);
    await amy.next('message:new', 5_000);

    const cutAt = Date.now();
    proxy = await setEnabled(proxy, false);
    await waitFor('node 1 degraded', async () => (await getJson(`${a.url}/health/socket`, HealthResponse)).body.status === 'degraded', 5_000);
    const health = await getJson(`${a.url}/health/socket`, HealthResponse);
    expect(health.status).toBe(200);
    expect(health.body.checks.redis?.status).toBe('down');
    expect(health.body.checks.store?.status).toBe('up');

    // 8 sends into a buffer of 5: each is acked and delivered on node 1 at once.
    const texts = Array.from({ length: 8 }, (_, i) => `during cut ${i + 1}`);
    for (const text of texts) {
      const started = performance.now();
      const r = await alice.call('message:send', { channelId: 'general', text, clientMsgId: randomUUID() });
      expect(r.ok).toBe(true);
      expect(performance.now() - started).toBeLessThan(500); // nothing waits on Redis
      expect(((await amy.next('message:new', 2_000)) as Message).text).toBe(text);
    }
    // DEG-3: rate limits still hold, counted by the in-memory insurance limiter (presence:update: 5 per 30 s).
    // ivan is in no channel, so his presence sends nothing across nodes and leaves the buffer alone.
    const ivan = await connectUser(a, 'ivan');
    clients.push(ivan);
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await ivan.call('presence:update', { status: 'online' }, 2_000);
      codes.push(r.ok ? 'ok' : r.error.code);
    }
    expect(codes).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'RATE_LIMITED']);

    const during = await getJson(`${a.url}/metrics/socket`, SocketMetrics);
    expect(during.body.crossNode).toMatchObject({ buffered: BUFFER_MAX, dropped: 3 });
    expect(during.body.dependencies?.redis).toMatchObject({ up: false, outages: 1 });
    await sleep(Math.max(0, 3_000 - (Date.now() - cutAt))); // long enough for the backoff to reach its cap
    expect(bob.seen('message:new')).toEqual([]);

    proxy = await setEnabled(proxy, true);
    const healedAt = Date.now();
    const arrived: string[] = [];
    for (let i = 0; i < BUFFER_MAX; i++) arrived.push(((await bob.next('message:new', 5_000)) as Message).text);
    expect(arrived).toEqual(texts.slice(-BUFFER_MAX)); // oldest dropped, order kept
    console.log(`held cross-node sends delivered ${Date.now() - healedAt} ms after the heal`);

    await waitFor('node 1 healthy', async () => (await getJson(`${a.url}/health/socket`, HealthResponse)).body.status === 'healthy', 5_000);
    const after = await getJson(`${a.url}/metrics/socket`, SocketMetrics);
    expect(after.body.crossNode).toMatchObject({ buffered: 0, dropped: 3, flushed: BUFFER_MAX });
    expect(after.body.redisReconnects).toBe(1);
    expect(after.body.dependencies?.redis).toMatchObject({ up: true, outages: 1 });

    // After the heal, a new send crosses at once again.
    expect((await alice.call('message:send', { channelId: 'general', text: 'after heal', clientMsgId: randomUUID() })).ok).toBe(true);
    expect(((await bob.next('message:new', 5_000)) as Message).text).toBe('after heal');

    // DEG-6: reconnect delays of the node's own client double from 100 ms to the 800 ms cap, jitter ≤ 20 %.
    const scheduled = a
      .logLines()
      .filter((l) => l.msg === 'redis reconnect scheduled' && l.redisClient === 'app')
      .map((l) => ({ attempt: l.attempt as number, delayMs: l.delayMs as number, at: Date.parse(String(l.time)) }));
    expect(scheduled.length).toBeGreaterThanOrEqual(5);
    for (const s of scheduled) {
      const base = Math.min(800, 100 * 2 ** (s.attempt - 1));
      expect(s.delayMs).toBeGreaterThanOrEqual(base);
      expect(s.delayMs).toBeLessThanOrEqual(Math.min(800, base * 1.2));
    }
    expect(scheduled.slice(0, 5).map((s) => s.attempt)).toEqual([1, 2, 3, 4, 5]);
    // The attempts really are that far apart (each next attempt is scheduled when the previous one fails).
    for (let i = 1; i < scheduled.length; i++) {
      if (scheduled[i]!.attempt === 1) break;
      expect(scheduled[i]!.at - scheduled[i - 1]!.at).toBeGreaterThanOrEqual(scheduled[i - 1]!.delayMs - 5);
    }
  });
});
