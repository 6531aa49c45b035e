// PostgreSQL cut through the fault proxy (DEG-3, DEG-4, DEG-5, BRK-2): nothing is acked that is not durable,
// retries land exactly once, the store breaker opens after 5 failures, half-opens after its timeout and
// closes on success; ban look-ups fall back to a bounded cache. Timings: BREAKER_RESET_TIMEOUT_MS=1500,
// DEPENDENCY_TIMEOUT_MS=1000, probe every 200 ms; the breaker's threshold and window are the spec's (5 in 60 s).
import { randomUUID } from 'node:crypto';
import type { Proxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailability, type PostgresService } from '../../../testbed/services/index.ts';
import { connectToxiproxy, type ToxiproxyConnection } from '../../../testbed/fault-proxy/connect.ts';
import { BreakersResponse, HealthResponse, mintToken, SocketMetrics, type Message } from '../../../spec/index.ts';
import { getJson } from '../../../testing/admin.ts';
import { connectError, connectUser, type ChatClient } from '../../../testbed/clients/chat-client.ts';
import type { ServerProcess } from '../../../testing/server-process.ts';
import { setEnabled, startNodes, throughProxy, waitFor } from './support.ts';

const postgres = await postgresAvailability();
const RESET_TIMEOUT_MS = 1_500;

describe.skipIf(postgres.skip)('PostgreSQL cut', () => {
  let pgLease: PostgresService;
  let proxyConn: ToxiproxyConnection;
  let proxy: Proxy;
  let node: ServerProcess;
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    [pgLease, proxyConn] = await Promise.all([postgres.start(), connectToxiproxy()]);
    const route = await throughProxy(proxyConn.toxiproxy, `pg-${randomUUID()}`, pgLease.url);
    proxy = route.proxy;
    [node] = (await startNodes(1, { DATABASE_URL: route.url, BREAKER_RESET_TIMEOUT_MS: String(RESET_TIMEOUT_MS) })) as [ServerProcess];
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await node?.dispose();
    await proxyConn?.close();
    await pgLease?.stop();
  });

  const storeBreaker = async () => (await getJson(`${node.url}/status/circuit-breakers`, BreakersResponse)).body.breakers.store!;

  it('never acks what is not durable, lands retries exactly once, and trips, half-opens and closes the breaker', async () => {
    const alice = await connectUser(node, 'alice');
    const mod = await connectUser(node, 'mod', ['moderator']);
    clients.push(alice, mod);
    expect((await alice.call('channel:join', { channelId: 'general' })).ok).toBe(true);
    // Look-ups the cache will remember: carol is not banned, mallory is.
    (await connectUser(node, 'carol')).close();
    expect((await mod.call('moderation:ban', { userId: 'mallory', reason: 'spam' })).ok).toBe(true);

    const acked = new Map<string, Message>(); // clientMsgId → the message acked ok
    const send = async (clientMsgId: string) => {
      const r = await alice.call('message:send', { channelId: 'general', text: `m ${clientMsgId.slice(0, 8)}`, clientMsgId });
      if (r.ok) acked.set(clientMsgId, r.data);
      return r;
    };
    for (let i = 0; i < 3; i++) expect((await send(randomUUID())).ok).toBe(true);
    const before = (await getJson(`${node.url}/metrics/socket`, SocketMetrics)).body;

    proxy = await setEnabled(proxy, false);
    const refused: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const key = randomUUID();
      const r = await send(key);
      expect(r.ok ? 'ok' : r.error.code).toBe('UNAVAILABLE');
      if (!r.ok) expect(r.error.retryAfterMs).toBeGreaterThan(0);
      if (!r.ok) expect(r.error.retryAfterMs).toBeLessThanOrEqual(RESET_TIMEOUT_MS);
      refused.push(key);
      expect((await storeBreaker()).state).toBe(i < 5 ? 'closed' : 'open');
    }
    const open = await storeBreaker();
    expect(open.trips).toBe(1);

    const health = await getJson(`${node.url}/health/socket`, HealthResponse);
    expect(health.status).toBe(200); // HLTH-2: an external database's outage does not make the node unhealthy
    expect(health.body.status).toBe('degraded');
    expect(health.body.checks.store?.status).toBe('down');
    await waitFor('outage counted', async () => (await getJson(`${node.url}/metrics/socket`, SocketMetrics)).body.dependencies?.store?.up === false, 3_000);
    const during = (await getJson(`${node.url}/metrics/socket`, SocketMetrics)).body;
    expect(during.circuitBreakerTrips - before.circuitBreakerTrips).toBe(1);
    expect(during.dependencies?.store?.outages).toBe(1);

    // DEG-4: remembered answers are served, unknown ones fail closed.
    const token = (sub: string) => mintToken(node.secret, { sub, roles: ['member'] });
    const carol = await connectUser(node, 'carol');
    clients.push(carol);
    expect(carol.connected).toBe(true);
    expect((await connectError(node.url, { token: await token('mallory') })).data).toMatchObject({ code: 'BANNED' });
    expect((await connectError(node.url, { token: await token('zed') })).data).toMatchObject({ code: 'UNAVAILABLE' });

    proxy = await setEnabled(proxy, true);
    await waitFor('breaker half-open', async () => (await storeBreaker()).state === 'halfOpen', RESET_TIMEOUT_MS + 3_000);
    const openedFor = Date.parse((await storeBreaker()).since) - Date.parse(open.since);
    expect(openedFor).toBeGreaterThanOrEqual(RESET_TIMEOUT_MS - 50);

    // The client retries every refused send with the same clientMsgId: the first retry is the trial call.
    for (const key of refused) expect((await send(key)).ok).toBe(true);
    expect((await storeBreaker()).state).toBe('closed');
    for (const key of refused.slice(0, 2)) expect((await send(key)).ok).toBe(true); // repeats change nothing

    const history = await alice.call('channel:history', { channelId: 'general', limit: 100 });
    expect(history.ok).toBe(true);
    const stored = history.ok ? history.data.messages : [];
    for (const [key, msg] of acked) {
      const copies = stored.filter((m) => m.clientMsgId === key);
      expect(copies).toHaveLength(1);
      expect(copies[0]).toMatchObject({ id: msg.id, seq: msg.seq });
    }
    expect(acked.size).toBe(3 + refused.length);
    await waitFor('store back up', async () => (await getJson(`${node.url}/health/socket`, HealthResponse)).body.status === 'healthy', 5_000);
    const after = (await getJson(`${node.url}/metrics/socket`, SocketMetrics)).body;
    expect(after.dependencies?.store).toMatchObject({ up: true, outages: 1 });
    expect(after.staleLookups).toBeGreaterThanOrEqual(2);
  });
});
