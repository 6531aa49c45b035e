// Two reference-server nodes sharing Redis (Socket.IO Redis Streams adapter) and PostgreSQL, with
// clients spread over them: broadcasts, moderation and rate limits cross nodes; recovery works on another node.
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectToxiproxy, type ToxiproxyConnection } from '../../../testbed/fault-proxy/connect.ts';
import { postgresAvailability, redisAvailability, type PostgresService, type RedisService } from '../../../testbed/services/index.ts';
import { mintToken, SpecDocument, type Message } from '../../../spec/index.ts';
import { createChannel, getJson } from '../../../testing/admin.ts';
import { connectError, connectUser, type ChatClient } from '../../../testbed/clients/chat-client.ts';
import type { ServerProcess } from '../../../testing/server-process.ts';
import { setEnabled, startNodes, throughProxy, waitFor } from './support.ts';

const redis = await redisAvailability();
const postgres = await postgresAvailability();
const skip = redis.skip ?? postgres.skip;

describe.skipIf(skip)('two nodes on Redis and PostgreSQL', () => {
  let redisLease: RedisService;
  let pgLease: PostgresService;
  let nodes: ServerProcess[] = [];
  let a: ServerProcess;
  let b: ServerProcess;
  const clients: ChatClient[] = [];
  const connect = async (node: ServerProcess, sub: string, roles: ('member' | 'moderator')[] = ['member']) => {
    const c = await connectUser(node, sub, roles);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    [redisLease, pgLease] = await Promise.all([redis.start(), postgres.start()]);
    nodes = await startNodes(2, {
      REDIS_URL: redisLease.url,
      DATABASE_URL: pgLease.url,
      ...(redisLease.keyPrefix ? { REDIS_KEY_PREFIX: redisLease.keyPrefix } : {}),
      // Connections relaxed; presence:update tight enough to show one shared count (RATE-1 across nodes).
      RATE_LIMITS: JSON.stringify({ connection: { points: 100_000, durationMs: 60_000 }, 'presence:update': { points: 4, durationMs: 60_000 } }),
    });
    [a, b] = nodes as [ServerProcess, ServerProcess];
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(nodes.map((n) => n.dispose()));
    await Promise.all([redisLease?.stop(), pgLease?.stop()]);
  });

  it('publishes multiNode, connection state recovery and the PostgreSQL store in GET /spec', async () => {
    const { body } = await getJson(`${b.url}/spec`, SpecDocument);
    expect(body.features).toEqual({ multiNode: true, connectionStateRecovery: true, durableStore: 'postgres', fixtures: true, limitRelaxations: true });
  });

  it('carries messages, typing and presence between clients on different nodes', async () => {
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    for (const c of [alice, bob]) expect((await c.call('channel:join', { channelId: 'general' })).ok).toBe(true);

    const sent = await alice.call('message:send', { channelId: 'general', text: 'hello from node 1', clientMsgId: randomUUID() });
    expect(sent.ok).toBe(true);
    const got = (await bob.next('message:new', 5_000)) as Message;
    expect(got).toMatchObject({ text: 'hello from node 1', authorId: 'alice', seq: sent.ok ? sent.data.seq : -1 });

    expect((await bob.call('typing:start', { channelId: 'general' })).ok).toBe(true);
    expect(await alice.next('typing', 5_000)).toEqual({ channelId: 'general', userId: 'bob', typing: true });

    expect((await alice.call('presence:update', { status: 'away' })).ok).toBe(true);
    expect(await bob.next('presence', 5_000, (p) => (p as { userId: string }).userId === 'alice')).toEqual({ userId: 'alice', status: 'away' });

    // The database is shared: history read on the other node has the message.
    const history = await bob.call('channel:history', { channelId: 'general' });
    expect(history.ok && history.data.messages.map((m) => m.text)).toContain('hello from node 1');
  });

  it('kicks and bans a user whose sockets are on another node', async () => {
    const mod = await connect(a, 'mod-1', ['moderator']);
    const carol = await connect(b, 'carol');
    const dan = await connect(b, 'dan');
    for (const c of [mod, carol, dan]) expect((await c.call('channel:join', { channelId: 'general' })).ok).toBe(true);

    const kicked = await mod.call('moderation:kick', { channelId: 'general', userId: 'carol', reason: 'off topic' });
    expect(kicked).toEqual({ ok: true, data: { channelId: 'general', userId: 'carol', socketsRemoved: 1 } });
    expect(await carol.next('moderation:kicked', 5_000)).toMatchObject({ channelId: 'general', by: 'mod-1' });
    const refused = await carol.call('message:send', { channelId: 'general', text: 'still here?', clientMsgId: randomUUID() });
    expect(refused.ok ? 'ok' : refused.error.code).toBe('FORBIDDEN');

    const banned = await mod.call('moderation:ban', { userId: 'dan', reason: 'spam' });
    expect(banned.ok && banned.data.socketsDisconnected).toBe(1);
    expect(await dan.next('session:ended', 5_000)).toMatchObject({ code: 'BANNED' });
    await dan.next('disconnect', 5_000);
    // The ban is in the shared database: the other node refuses the handshake too.
    const token = await mintToken(a.secret, { sub: 'dan', roles: ['member'] });
    expect((await connectError(a.url, { token })).data).toMatchObject({ code: 'BANNED' });
  });

  it('removes a member\'s socket on another node from a private channel when the fixture removes the member (CHAN-5)', async () => {
    await createChannel(a, { id: 'members-only', private: true, members: ['ivan', 'judy'] });
    const ivan = await connect(b, 'ivan');
    const judy = await connect(b, 'judy'); // on ivan's node: her broadcast reaches both sockets in one go
    for (const c of [ivan, judy]) expect((await c.call('channel:join', { channelId: 'members-only' })).ok).toBe(true);
    await createChannel(a, { id: 'members-only', private: true, members: ['judy'] }); // through node 1; ivan's socket is on node 2
    expect(await ivan.next('moderation:kicked', 5_000)).toMatchObject({ channelId: 'members-only' });
    const refused = await ivan.call('message:send', { channelId: 'members-only', text: 'still here?', clientMsgId: randomUUID() });
    expect(refused.ok ? 'ok' : refused.error.code).toBe('FORBIDDEN');
    const sent = await judy.call('message:send', { channelId: 'members-only', text: 'members only', clientMsgId: randomUUID() });
    expect(sent.ok).toBe(true);
    await judy.next('message:new', 5_000);
    // Ivan's own round trip after the broadcast: had it reached him, it would be queued by now.
    await ivan.call('presence:update', { status: 'online' });
    expect(ivan.seen('message:new')).toEqual([]);
  });

  it('shares rate-limit counts between nodes', async () => {
    const onA = await connect(a, 'erin');
    const onB = await connect(b, 'erin');
    const codes: string[] = [];
    for (const c of [onA, onB, onA, onB, onA]) {
      const r = await c.call('presence:update', { status: 'online' });
      codes.push(r.ok ? 'ok' : r.error.code);
    }
    expect(codes).toEqual(['ok', 'ok', 'ok', 'ok', 'RATE_LIMITED']);
  });

  it('recovers a dropped client on the other node with the messages it missed (connection state recovery)', async () => {
    // A loopback "load balancer": the fault proxy in front of node 1, re-pointed to node 2 while the client is away.
    const lb: ToxiproxyConnection = await connectToxiproxy();
    let socket: Socket | undefined;
    try {
      const route = await throughProxy(lb.toxiproxy, `lb-${randomUUID()}`, a.url);
      await createChannel(a, { id: 'recovery' });
      const token = await mintToken(a.secret, { sub: 'frank', roles: ['member'] });
      socket = io(route.url, { auth: { token }, transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 200, forceNew: true });
      const received: Message[] = [];
      socket.on('message:new', (m: Message) => received.push(m));
      await new Promise<void>((resolve, reject) => {
        socket!.once('connect', resolve);
        socket!.once('connect_error', reject);
      });
      expect(socket.recovered).toBe(false);
      expect(((await socket.timeout(5_000).emitWithAck('channel:join', { channelId: 'recovery' })) as { ok: boolean }).ok).toBe(true);

      const sender = await connect(b, 'grace');
      expect((await sender.call('channel:join', { channelId: 'recovery' })).ok).toBe(true);
      const first = await sender.call('message:send', { channelId: 'recovery', text: 'before the drop', clientMsgId: randomUUID() });
      expect(first.ok).toBe(true);
      await waitFor('first message', () => received.length === 1, 5_000);

      const down = await setEnabled(route.proxy, false); // the client's transport closes
      await waitFor('client sees the drop', () => !socket!.connected, 5_000);
      for (const text of ['missed 1', 'missed 2']) {
        expect((await sender.call('message:send', { channelId: 'recovery', text, clientMsgId: randomUUID() })).ok).toBe(true);
      }
      await setEnabled(down, true, `127.0.0.1:${b.port}`); // it comes back through node 2

      await waitFor('reconnected', () => socket!.connected, 10_000);
      expect(socket.recovered).toBe(true);
      await waitFor('missed messages', () => received.length === 3, 5_000);
      expect(received.map((m) => m.text)).toEqual(['before the drop', 'missed 1', 'missed 2']);
      const seqs = received.map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    } finally {
      socket?.disconnect();
      await lb.close();
    }
  });
});
