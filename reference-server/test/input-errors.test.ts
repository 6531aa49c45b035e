import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnyAck, BreakersResponse, ConnectErrorData, HealthResponse, Message, SocketMetrics, mintToken } from '../../spec/index.ts';
import { adminRequest, createChannel, getJson } from '../../testing/admin.ts';
import { ChatClient, connectError, connectUser } from '../../testbed/clients/chat-client.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';

const attachment = (url: string) => ({ url, name: 'f.pdf', size: 1, mimeType: 'application/pdf' });
let key = 0;
const send = (channelId: string, extra: Record<string, unknown> = {}) => ({ channelId, text: 'x', clientMsgId: `ie-${++key}`, ...extra });

/** Every way finding 1 of issue 11 reached the store, as a client event. */
const INVALID_EVENTS: Array<{ what: string; event: string; payload: (channelId: string) => unknown }> = [
  { what: 'NUL in an attachment url', event: 'message:send', payload: (c) => send(c, { attachments: [attachment('https://example.com/\u0000')] }) },
  { what: 'a lone surrogate in an attachment url', event: 'message:send', payload: (c) => send(c, { attachments: [attachment('https://example.com/\ud800')] }) },
  { what: 'a control character in an attachment url', event: 'message:send', payload: (c) => send(c, { attachments: [attachment('https://example.com/a\u0007b')] }) },
  { what: 'NUL in a ban userId', event: 'moderation:ban', payload: () => ({ userId: 'z\u0000z', reason: 'r' }) },
  { what: 'a lone surrogate in a ban userId', event: 'moderation:ban', payload: () => ({ userId: 'z\udc00z', reason: 'r' }) },
  { what: 'NUL in a kick userId', event: 'moderation:kick', payload: (c) => ({ channelId: c, userId: 'z\u0000z', reason: 'r' }) },
  { what: 'NUL in a messageId', event: 'message:edit', payload: () => ({ messageId: 'm\u0000', text: 'x' }) },
];

describe('a client error never counts as a dependency failure (BRK-6, TEXT-6)', () => {
  let server: ServerProcess;
  const clients: ChatClient[] = [];
  beforeAll(async () => {
    // Ten of each kind from one user: the limits are not under test here (RATE-4 counts invalid calls).
    const many = { points: 10_000, durationMs: 60_000 };
    const limits = { connection: many, 'message:send': many, 'message:edit': many, 'moderation:kick': many, 'moderation:ban': many };
    server = await startServer({ env: { RATE_LIMITS: JSON.stringify(limits) } });
    await createChannel(server, { id: 'input-room' });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.dispose();
  });
  const metrics = async () => (await getJson(`${server.url}/metrics/socket`, SocketMetrics)).body;

  it('ten of each invalid event: VALIDATION, no breaker trip, and another user still sends', async () => {
    const mod = await connectUser(server, 'ie-mod', ['moderator']);
    const bystander = await connectUser(server, 'ie-bystander');
    clients.push(mod, bystander);
    for (const c of [mod, bystander]) await c.call('channel:join', { channelId: 'input-room' });
    const before = await metrics();
    for (const { what, event, payload } of INVALID_EVENTS) {
      for (let i = 0; i < 10; i++) {
        const ack = AnyAck.parse(await mod.raw(event, payload('input-room')));
        expect(ack.ok ? 'ok' : ack.error.code, what).toBe('VALIDATION');
      }
    }
    const after = await metrics();
    expect(after.circuitBreakerTrips).toBe(before.circuitBreakerTrips);
    const breakers = (await getJson(`${server.url}/status/circuit-breakers`, BreakersResponse)).body.breakers;
    expect(breakers.store).toMatchObject({ state: 'closed', failures: 0 });
    const ok = AnyAck.parse(await bystander.call('message:send', send('input-room', { text: 'still here' })));
    expect(ok.ok).toBe(true);
    const health = await getJson(`${server.url}/health/socket`, HealthResponse);
    expect([health.status, health.body.status]).toEqual([200, 'healthy']);
  });

  it('a validly signed token whose sub holds NUL is refused UNAUTHORIZED at the handshake', async () => {
    const before = await metrics();
    for (const sub of ['a\u0000b', 'a\ud800b', 'tab\there']) {
      const token = await mintToken(server.secret, { sub });
      const refused = await connectError(server.url, { token });
      expect(ConnectErrorData.parse(refused.data).code, JSON.stringify(sub)).toBe('UNAUTHORIZED');
    }
    expect((await metrics()).circuitBreakerTrips).toBe(before.circuitBreakerTrips);
  });

  it('POST /admin/channels with a member holding NUL answers 400, not 503', async () => {
    const res = await adminRequest(server, 'POST', '/admin/channels', { id: 'nul-members', private: true, members: ['a\u0000b'] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'VALIDATION' } });
  });

  it('a sub of 101-128 characters without a name claim connects, shown by its first 100 (AUTH-4)', async () => {
    const sub = 'u'.repeat(28) + 'x'.repeat(100);
    const c = await connectUser(server, sub);
    clients.push(c);
    await c.call('channel:join', { channelId: 'input-room' });
    const ack = AnyAck.parse(await c.call('message:send', send('input-room', { text: 'long id' })));
    expect(ack.ok).toBe(true);
    const message = Message.parse((ack as { data: unknown }).data);
    expect(message.authorId).toBe(sub);
    expect(message.authorName).toBe(sub.slice(0, 100));
  });
});

describe('the faulty build unvalidated-store-input shows what the fix prevents', () => {
  it('NUL in an attachment url opens the store breaker for everyone', async () => {
    const faulty = await startServer({ env: { SOCKPROOF_FAULTS: 'unvalidated-store-input', BREAKER_FAILURE_THRESHOLD: '5' } });
    try {
      await createChannel(faulty, { id: 'input-room' });
      const [a, b] = [await connectUser(faulty, 'fa'), await connectUser(faulty, 'fb')];
      for (const c of [a, b]) await c.call('channel:join', { channelId: 'input-room' });
      const codes: string[] = [];
      for (let i = 0; i < 5; i++) {
        const ack = AnyAck.parse(await a.raw('message:send', send('input-room', { attachments: [attachment('https://example.com/\u0000')] })));
        codes.push(ack.ok ? 'ok' : ack.error.code);
      }
      expect(codes).toEqual(Array(5).fill('UNAVAILABLE'));
      const other = AnyAck.parse(await b.call('message:send', send('input-room')));
      expect(other.ok ? 'ok' : other.error.code).toBe('UNAVAILABLE');
      // The store's own error is logged with event, user and socket (and nothing secret): the embedded
      // store refuses the NUL before SQLite (PostgreSQL's jsonb would with 22P05), an input error this
      // faulty build counts all the same.
      const line = await faulty.waitForLog((l) => l.msg === 'store call failed');
      expect(line).toMatchObject({ event: 'message:send', userId: 'fa', storeError: { name: 'StoreInputError', cause: 'input' } });
      expect(typeof line.socketId).toBe('string');
      for (const c of [a, b]) c.close();
    } finally {
      await faulty.dispose();
    }
  });
});

describe('no URL password in start-up errors (AUTH-8, OPS-1)', () => {
  const BIN = new URL('../../bin/sockproof.mjs', import.meta.url).pathname;
  const PASSWORD = 'S3cr3tP4ss';
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'redact-'));
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it.each([
    ['DATABASE_URL', `mysql://admin:${PASSWORD}@db.internal:3306/chat`],
    ['DATABASE_URL', `admin:${PASSWORD}@db.internal`],
    ['DATABASE_URL', `postgres://admin:${PASSWORD}@127.0.0.1:1/chat`],
    ['DATABASE_URL', `postgres://127.0.0.1:1/chat?password=${PASSWORD}`],
    ['REDIS_URL', `http://admin:${PASSWORD}@127.0.0.1:1`],
    ['REDIS_URL', `redis://admin:${PASSWORD}@127.0.0.1:99999`],
    ['JWT_JWKS_URL', `ftp://admin:${PASSWORD}@keys.example/jwks.json`],
  ])('%s=%s: the server stops with one line and the password appears nowhere', (name, value) => {
    const r = spawnSync(process.execPath, [BIN, 'serve'], {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: '0', [name]: value, DEPENDENCY_TIMEOUT_MS: '1000' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain(name === 'DATABASE_URL' && value.startsWith('postgres') ? 'start-up failed' : name);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });
});
