import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnyAck, ConnectErrorData, KickedEvent, SessionEnded, mintToken } from '../../spec/index.ts';
import { createChannel } from '../../testing/admin.ts';
import { ChatClient, connectError, connectUser } from '../../testbed/clients/chat-client.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';

let server: ServerProcess;
const clients: ChatClient[] = [];
async function user(sub: string, roles: ('member' | 'moderator' | 'admin')[] = ['member']) {
  const c = await connectUser(server, sub, roles);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.dispose();
});

describe('moderation:kick (MOD-1, MOD-2, MOD-4)', () => {
  it('removes every socket of the user from the channel and tells them, across two clients', async () => {
    await createChannel(server, { id: 'kick-room' });
    const mod = await user('mod-k', ['moderator']);
    const [tab1, tab2] = [await user('troll'), await user('troll')];
    for (const c of [mod, tab1, tab2]) await c.call('channel:join', { channelId: 'kick-room' });
    const ack = await mod.call('moderation:kick', { channelId: 'kick-room', userId: 'troll', reason: 'spam <b>' });
    expect(ack).toEqual({ ok: true, data: { channelId: 'kick-room', userId: 'troll', socketsRemoved: 2 } });
    for (const tab of [tab1, tab2]) {
      expect(KickedEvent.parse(await tab.next('moderation:kicked'))).toEqual({ channelId: 'kick-room', reason: 'spam <b>', reasonHtml: 'spam &lt;b&gt;', by: 'mod-k' });
      expect(AnyAck.parse(await tab.call('message:send', { channelId: 'kick-room', text: 'still here?', clientMsgId: `k-${Math.random()}` }))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(tab.connected).toBe(true);
    }
    await mod.call('message:send', { channelId: 'kick-room', text: 'after', clientMsgId: 'after-kick' });
    await mod.next('message:new');
    await new Promise((r) => setTimeout(r, 200));
    expect(tab1.seen('message:new')).toHaveLength(0);
  });

  it('revokes membership of a private channel', async () => {
    await createChannel(server, { id: 'kick-private', private: true, members: ['pm-user'] });
    const mod = await user('mod-p', ['moderator']);
    const victim = await user('pm-user');
    await victim.call('channel:join', { channelId: 'kick-private' });
    await mod.call('moderation:kick', { channelId: 'kick-private', userId: 'pm-user', reason: 'bye' });
    await victim.next('moderation:kicked');
    expect(AnyAck.parse(await victim.call('channel:join', { channelId: 'kick-private' }))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('refuses members, self-kicks and unknown channels', async () => {
    const member = await user('plain');
    expect(AnyAck.parse(await member.call('moderation:kick', { channelId: 'general', userId: 'x', reason: 'r' }))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const mod = await user('mod-s', ['moderator']);
    expect(AnyAck.parse(await mod.call('moderation:kick', { channelId: 'general', userId: 'mod-s', reason: 'r' }))).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(AnyAck.parse(await mod.call('moderation:kick', { channelId: 'not-there', userId: 'x', reason: 'r' }))).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await mod.call('moderation:kick', { channelId: 'general', userId: 'nobody-online', reason: 'r' })).toMatchObject({ ok: true, data: { socketsRemoved: 0 } });
  });
});

describe('moderation:ban (MOD-3, AUTH-6)', () => {
  it('disconnects every socket of the user with session:ended, then refuses their handshakes with BANNED', async () => {
    const admin = await user('admin-b', ['admin']);
    const [s1, s2] = [await user('villain'), await user('villain')];
    const ack = await admin.call('moderation:ban', { userId: 'villain', reason: 'abuse' });
    expect(ack).toMatchObject({ ok: true, data: { userId: 'villain', until: null, socketsDisconnected: 2 } });
    for (const s of [s1, s2]) {
      expect(SessionEnded.parse(await s.next('session:ended'))).toMatchObject({ code: 'BANNED' });
      await s.next('disconnect');
    }
    const { data } = await connectError(server.url, { token: await mintToken(server.secret, { sub: 'villain' }) });
    expect(ConnectErrorData.parse(data)).toMatchObject({ code: 'BANNED' });
  });

  it('ends a temporary ban by itself, telling the refused client when', async () => {
    const mod = await user('mod-t', ['moderator']);
    await mod.call('moderation:ban', { userId: 'cooldown', reason: 'cool off', durationMs: 1500 });
    const token = await mintToken(server.secret, { sub: 'cooldown' });
    const refused = ConnectErrorData.parse((await connectError(server.url, { token })).data);
    expect(refused.code).toBe('BANNED');
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1500);
    await new Promise((r) => setTimeout(r, (refused.retryAfterMs ?? 0) + 200));
    const back = await ChatClient.connect(server.url, token);
    clients.push(back);
    expect(back.connected).toBe(true);
  });

  it('refuses members and self-bans', async () => {
    const member = await user('plain-b');
    expect(AnyAck.parse(await member.call('moderation:ban', { userId: 'x', reason: 'r' }))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const mod = await user('mod-self', ['moderator']);
    expect(AnyAck.parse(await mod.call('moderation:ban', { userId: 'mod-self', reason: 'r' }))).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});
