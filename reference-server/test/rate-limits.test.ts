import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnyAck, ConnectErrorData, DEFAULT_RATE_LIMITS, RateLimitTable, SpecDocument, mintToken, type ClientEventName, type RateLimitName } from '../../spec/index.ts';
import { adminRequest, createChannel, getJson, setLimits } from '../../testing/admin.ts';
import { ChatClient, connectError, connectUser } from '../../testbed/clients/chat-client.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';

let server: ServerProcess;
const clients: ChatClient[] = [];
beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMITS: '' } }); // the spec's defaults
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.dispose();
});

describe('the spec table (RATE-1)', () => {
  it('publishes the default limits', async () => {
    const { body } = await getJson(`${server.url}/spec`, SpecDocument);
    expect(body.limits.rateLimits).toEqual(DEFAULT_RATE_LIMITS);
  });
});

describe('the N+1th call of every per-user limit (RATE-2, RATE-4)', () => {
  const channelId = 'rl-channel';
  const payloads: Record<Exclude<RateLimitName, 'connection'>, (i: number) => unknown> = {
    'message:send': (i) => ({ channelId, text: `m${i}`, clientMsgId: `rl-${i}` }),
    'message:edit': () => ({ messageId: '00000000-0000-0000-0000-000000000000', text: 'x' }),
    'typing:start': () => ({ channelId }),
    'presence:update': () => ({ status: 'away' }),
    'moderation:kick': (i) => ({ channelId, userId: `victim-${i}`, reason: 'r' }),
    'moderation:ban': (i) => ({ userId: `victim-${i}`, reason: 'r', durationMs: 1000 }),
    // RATE-6: every other client event too.
    'channel:join': () => ({ channelId }),
    'channel:leave': () => ({ channelId }),
    'channel:history': () => ({ channelId, limit: 1 }),
    'typing:stop': () => ({ channelId }),
  };

  beforeAll(async () => {
    await createChannel(server, { id: channelId });
    // Relax the connection limit (per IP: this test connects more than ten clients).
    await setLimits(server, { connection: { points: 1000, durationMs: 60_000 } });
  });

  for (const [event, payload] of Object.entries(payloads) as [Exclude<RateLimitName, 'connection'>, (i: number) => unknown][]) {
    it(`${event}: ${DEFAULT_RATE_LIMITS[event].points} calls pass the limiter, the next is RATE_LIMITED and the socket stays`, async () => {
      const c = await connectUser(server, `rl-${event}`, ['moderator']);
      clients.push(c);
      // The join would count for the channel:join limit itself.
      if (event !== 'channel:join') await c.call('channel:join', { channelId });
      const { points, durationMs } = DEFAULT_RATE_LIMITS[event];
      for (let i = 0; i < points; i++) {
        const ack = AnyAck.parse(await c.raw(event, payload(i)));
        if (!ack.ok) expect(ack.error.code, `call ${i + 1}`).not.toBe('RATE_LIMITED');
      }
      const over = AnyAck.parse(await c.raw(event as ClientEventName, payload(points)));
      expect(over.ok).toBe(false);
      if (over.ok) return;
      expect(over.error.code).toBe('RATE_LIMITED');
      expect(over.error.retryAfterMs).toBeGreaterThan(0);
      expect(over.error.retryAfterMs).toBeLessThanOrEqual(durationMs);
      // Invalid calls count too, and the socket is still usable for other events.
      expect(AnyAck.parse(await c.raw(event, { junk: true }))).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
      expect(c.connected).toBe(true);
      const other = event === 'channel:history' ? 'channel:leave' : 'channel:history';
      expect((await c.call(other, { channelId })).ok).toBe(true);
    });
  }
});

describe('connections per IP (RATE-1, RATE-2, FIX-2)', () => {
  it('refuses the 11th handshake in a window with RATE_LIMITED and retryAfterMs, counted before the token', async () => {
    await setLimits(server, { connection: DEFAULT_RATE_LIMITS.connection });
    const token = await mintToken(server.secret, { sub: 'conn-user' });
    for (let i = 0; i < 5; i++) clients.push(await ChatClient.connect(server.url, token));
    for (let i = 0; i < 5; i++) await connectError(server.url, { token: 'bad' }); // refused, but counted
    const { data } = await connectError(server.url, { token });
    const refusal = ConnectErrorData.parse(data);
    expect(refusal.code).toBe('RATE_LIMITED');
    expect(refusal.retryAfterMs).toBeGreaterThan(50_000);
    expect(clients.every((c) => c.connected)).toBe(true);
  });

  it('replaces and restores limits at run time through the fixture, resetting counts', async () => {
    const put = await adminRequest(server, 'PUT', '/admin/limits', { connection: { points: 50, durationMs: 1000 } });
    expect(put.status).toBe(200);
    expect(RateLimitTable.parse((put.body as { rateLimits: unknown }).rateLimits).connection).toEqual({ points: 50, durationMs: 1000 });
    const c = await connectUser(server, 'after-reset');
    clients.push(c);
    const del = await adminRequest(server, 'DELETE', '/admin/limits');
    expect((del.body as { rateLimits: unknown }).rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    expect((await adminRequest(server, 'PUT', '/admin/limits', { connection: { points: 0, durationMs: 1 } })).status).toBe(400);
    expect((await adminRequest(server, 'PUT', '/admin/limits', { bogus: { points: 1, durationMs: 1000 } })).status).toBe(400);
  });
});
