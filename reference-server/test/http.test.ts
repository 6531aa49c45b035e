import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminChannelResponse,
  BreakersResponse,
  DEFAULT_BREAKER_POLICY,
  HealthResponse,
  HttpErrorBody,
  RecoveryResponse,
  SocketMetrics,
  SpecDocument,
  mintToken,
} from '../../spec/index.ts';
import { adminRequest, createChannel, getJson } from '../../testing/admin.ts';
import { connectUser } from '../../testbed/clients/chat-client.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => server?.dispose());

describe('observability endpoints (HLTH-1, MET-1, MET-3, BRK-3, SPECDOC-1)', () => {
  it('answers each with the spec’s shape', async () => {
    const health = await getJson(`${server.url}/health/socket`, HealthResponse);
    expect(health).toMatchObject({ status: 200, body: { status: 'healthy', checks: { store: { status: 'up' } }, draining: false } });
    await getJson(`${server.url}/metrics/socket`, SocketMetrics);
    const breakers = await getJson(`${server.url}/status/circuit-breakers`, BreakersResponse);
    expect(breakers.body.breakers.store).toMatchObject({ state: 'closed', failures: 0, policy: DEFAULT_BREAKER_POLICY });
    const spec = await getJson(`${server.url}/spec`, SpecDocument);
    expect(spec.body).toMatchObject({ spec: 'sockproof', version: '1.0', transport: { maxHttpBufferSize: 1_000_000, path: '/socket.io' } });
  });

  it('moves counters by exactly what was done (MET-2) and shows them to Prometheus', async () => {
    await createChannel(server, { id: 'metrics-room' });
    const before = (await getJson(`${server.url}/metrics/socket`, SocketMetrics)).body;
    const c = await connectUser(server, 'counter');
    await c.call('channel:join', { channelId: 'metrics-room' });
    for (let i = 0; i < 5; i++) await c.call('message:send', { channelId: 'metrics-room', text: `n${i}`, clientMsgId: `metric-${i}` });
    await c.call('message:send', { channelId: 'metrics-room', text: 'again', clientMsgId: 'metric-0' }); // idempotent repeat
    await c.call('message:send', { channelId: 'metrics-room', text: '', clientMsgId: 'metric-bad' }); // rejected
    const after = (await getJson(`${server.url}/metrics/socket`, SocketMetrics)).body;
    expect(after.totalConnections - before.totalConnections).toBe(1);
    expect(after.messagesSent - before.messagesSent).toBe(5);
    expect(after.messagesRejected - before.messagesRejected).toBe(1);
    expect(after.eventsProcessed - before.eventsProcessed).toBe(7); // join + 5 sends + the repeat
    expect(after.eventsRejected - before.eventsRejected).toBe(1);
    c.close();
    const prom = await (await fetch(`${server.url}/metrics`)).text();
    expect(prom).toMatch(new RegExp(`^sockproof_messages_sent_total ${after.messagesSent}$`, 'm'));
    expect(prom).toMatch(/^sockproof_process_cpu_seconds_total /m);
  });
});

describe('admin endpoints and HTTP errors (HTTP-2, FIX-1, BRK-5)', () => {
  const token = (roles: ('member' | 'admin')[]) => mintToken(server.secret, { sub: 'http-user', roles });

  it('creates a channel (201) and replaces it (200)', async () => {
    const created = await adminRequest(server, 'POST', '/admin/channels', { id: 'fixture-room', private: true, members: ['a', 'b', 'a'] });
    expect(created.status).toBe(201);
    expect(AdminChannelResponse.parse(created.body)).toEqual({ channel: { id: 'fixture-room', private: true, members: ['a', 'b'] }, created: true });
    const replaced = await adminRequest(server, 'POST', '/admin/channels', { id: 'fixture-room', private: false, members: [] });
    expect(replaced.status).toBe(200);
    expect(AdminChannelResponse.parse(replaced.body).created).toBe(false);
  });

  it('refuses without a token (401), without the admin role (403), and with a bad body (400, 413)', async () => {
    const post = (headers: Record<string, string>, body: string) => fetch(`${server.url}/admin/channels`, { method: 'POST', headers, body });
    const cases: [Response, number, string][] = [
      [await post({}, '{}'), 401, 'UNAUTHORIZED'],
      [await post({ authorization: `Bearer ${await token(['member'])}` }, '{"id":"x"}'), 403, 'FORBIDDEN'],
      [await post({ authorization: `Bearer ${await token(['admin'])}` }, '{not json'), 400, 'VALIDATION'],
      [await post({ authorization: `Bearer ${await token(['admin'])}` }, '{"id":"bad id!"}'), 400, 'VALIDATION'],
      [await post({ authorization: `Bearer ${await token(['admin'])}` }, JSON.stringify({ id: 'big', members: ['x'.repeat(70_000)] })), 413, 'VALIDATION'],
      [await fetch(`${server.url}/no/such/path`), 404, 'NOT_FOUND'],
      [await fetch(`${server.url}/spec`, { method: 'DELETE' }), 405, 'VALIDATION'],
    ];
    for (const [res, status, code] of cases) {
      expect(res.status).toBe(status);
      expect(HttpErrorBody.parse(await res.json()).error.code).toBe(code);
    }
  });

  it('resets breakers on POST /admin/socket/recovery', async () => {
    const res = await adminRequest(server, 'POST', '/admin/socket/recovery');
    expect(res.status).toBe(200);
    expect(RecoveryResponse.parse(res.body).breakers.store?.state).toBe('closed');
    const denied = await fetch(`${server.url}/admin/socket/recovery`, { method: 'POST' });
    expect(denied.status).toBe(401);
  });
});
