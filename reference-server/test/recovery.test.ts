import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken, type Role } from '../../spec/index.ts';
import { createChannel } from '../../testing/admin.ts';
import { io } from 'socket.io-client';
import { connectUser, type ChatClient } from '../../testbed/clients/chat-client.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';
import { kickedWhileAway, planResume, sessionOwner } from '../connection/recovery.ts';
import { channelRoom, userRoom } from '../rooms.ts';

const id = fc.stringMatching(/^[a-z0-9]{1,8}$/);

describe('planResume (SES-6, SES-8)', () => {
  it('never resumes another user\'s session', () => {
    fc.assert(
      fc.property(id, id, fc.array(id), (owner, who, channels) => {
        fc.pre(owner !== who);
        const rooms = ['sid', userRoom(owner), ...channels.map(channelRoom)];
        return planResume({ sid: 'sid', rooms, owner }, who, new Set(channels)).kind === 'fresh';
      }),
    );
  });

  it('gives back exactly the user\'s room and the readable channels; drops the rest; never the old id room', () => {
    fc.assert(
      fc.property(id, fc.uniqueArray(id), fc.uniqueArray(id), fc.array(id), (user, channels, readable, stray) => {
        const rooms = ['sid', userRoom(user), ...channels.map(channelRoom), ...stray.map((s) => `other:${s}`)];
        const plan = planResume({ sid: 'sid', rooms, owner: user }, user, new Set(readable));
        if (plan.kind !== 'resume') return false;
        const want = [userRoom(user), ...channels.filter((c) => readable.includes(c)).map(channelRoom)];
        const kept = new Set(plan.rooms);
        return (
          plan.rooms.length === want.length &&
          want.every((r) => kept.has(r)) &&
          !kept.has('sid') &&
          plan.rooms.length + plan.dropped.length === rooms.length - 1
        );
      }),
    );
  });

  it('drops another user\'s room even from the user\'s own session', () => {
    const plan = planResume({ sid: 's', rooms: ['s', userRoom('alice'), userRoom('bob')], owner: 'alice' }, 'alice', new Set());
    expect(plan).toEqual({ kind: 'resume', rooms: [userRoom('alice')], dropped: [userRoom('bob')] });
  });

  it('reads the owner from the persisted socket data only when it is there', () => {
    expect(sessionOwner({ identity: { userId: 'alice', roles: [] } })).toBe('alice');
    for (const data of [undefined, null, {}, { identity: {} }, { identity: { userId: 7 } }]) expect(sessionOwner(data)).toBeUndefined();
    // A session without an owner is nobody's: it never resumes.
    expect(planResume({ sid: 's', rooms: [], owner: undefined }, 'alice', new Set()).kind).toBe('fresh');
  });
});

describe('kickedWhileAway (SES-8)', () => {
  it('finds exactly the channels named by moderation:kicked notices among the missed packets', () => {
    const notice = (channelId: unknown) => ['moderation:kicked', { channelId, reason: 'r', reasonHtml: 'r', by: 'mod' }, 'offset'];
    const missed = [['message:new', { channelId: 'a' }, 'o1'], notice('b'), notice(7), ['typing', { channelId: 'c' }], notice('d'), [], [null]];
    expect([...kickedWhileAway(missed)].sort()).toEqual(['b', 'd']);
  });

  it('never names a channel that no kick notice named', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('message:new', 'typing', 'presence', 'moderation:kicked'), id)), (packets) => {
        const missed = packets.map(([event, channelId]) => [event, { channelId }]);
        const want = new Set(packets.filter(([e]) => e === 'moderation:kicked').map(([, c]) => c));
        const got = kickedWhileAway(missed);
        return got.size === want.size && [...got].every((c) => want.has(c));
      }),
    );
  });
});

// The same, as users live it: a real socket.io-client against a real server process.
describe('recovery as a socket.io-client sees it (SES-5..8)', () => {
  let server: ServerProcess;
  const clients: ChatClient[] = [];
  const user = async (sub: string, roles: Role[] = ['member']) => {
    const c = await connectUser(server, sub, roles);
    clients.push(c);
    return c;
  };
  const offline = (witness: ChatClient, userId: string) => witness.next('presence', 5_000, (p) => (p as { userId: string; status: string }).userId === userId && (p as { status: string }).status === 'offline');
  const reconnect = (c: ChatClient) =>
    new Promise<void>((resolve, reject) => {
      c.socket.once('connect', () => resolve());
      c.socket.once('connect_error', reject);
      c.socket.connect();
    });

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.dispose();
  });

  it('recovers its own session; a kick while away keeps it out of the channel and tells it; another user with its pid starts afresh', async () => {
    await createChannel(server, { id: 'away-room', private: true, members: ['amy', 'ben'] });
    const [amy, ben, mod] = [await user('amy'), await user('ben'), await user('mo', ['moderator'])];
    for (const c of [amy, ben]) expect((await c.call('channel:join', { channelId: 'away-room' })).ok).toBe(true);
    expect((await ben.call('message:send', { channelId: 'away-room', text: 'hello', clientMsgId: randomUUID() })).ok).toBe(true);
    await amy.next('message:new', 5_000);
    const { id: amyId } = amy.socket;

    // First drop: nothing happens while away; she gets her id and the message she missed.
    amy.socket.io.engine.close();
    await offline(ben, 'amy');
    expect((await ben.call('message:send', { channelId: 'away-room', text: 'while away', clientMsgId: randomUUID() })).ok).toBe(true);
    await reconnect(amy);
    expect(amy.socket.recovered).toBe(true);
    expect(amy.socket.id).toBe(amyId);
    expect(await amy.next('message:new', 5_000)).toMatchObject({ text: 'while away' });

    // Second drop: kicked while away (no socket to remove), then a message she may not see.
    amy.socket.io.engine.close();
    await offline(ben, 'amy');
    expect(await mod.call('moderation:kick', { channelId: 'away-room', userId: 'amy', reason: 'bye' })).toMatchObject({ ok: true, data: { socketsRemoved: 0 } });
    expect((await ben.call('message:send', { channelId: 'away-room', text: 'after the kick', clientMsgId: randomUUID() })).ok).toBe(true);
    const pid = (amy.socket as unknown as { _pid: string })._pid;
    const offset = (amy.socket as unknown as { _lastOffset: string })._lastOffset;
    const benToken = await mintToken(server.secret, { sub: 'ben', roles: ['member'] });
    const intruder = io(server.url, { auth: { token: benToken, pid, offset }, transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      await new Promise<void>((resolve, reject) => {
        intruder.once('connect', resolve);
        intruder.once('connect_error', reject);
      });
      expect(intruder.recovered).toBe(false);
      expect(intruder.id).not.toBe(amyId);
    } finally {
      intruder.disconnect();
    }

    await reconnect(amy);
    expect(amy.socket.recovered).toBe(true); // her own session, still held: the intruder's attempt did not take it
    expect(await amy.next('moderation:kicked', 5_000)).toMatchObject({ channelId: 'away-room', by: 'mo' });
    const post = await amy.call('message:send', { channelId: 'away-room', text: 'back?', clientMsgId: randomUUID() });
    expect(post.ok ? 'ok' : post.error.code).toBe('FORBIDDEN');
    expect(amy.seen('message:new').filter((m) => (m as { text: string }).text === 'after the kick')).toEqual([]);
  }, 30_000);
});
