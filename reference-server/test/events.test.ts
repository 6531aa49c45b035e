import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnyAck, Message, SocketMetrics, ackSchemaFor, TEXT_MAX_CODE_POINTS } from '../../spec/index.ts';
import { createChannel, getJson } from '../../testing/admin.ts';
import { connectUser, type ChatClient } from '../../testbed/clients/chat-client.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';

let server: ServerProcess;
const clients: ChatClient[] = [];
let seq = 0;
const uid = (p: string) => `${p}-${++seq}`;

async function user(sub: string, roles: ('member' | 'moderator' | 'admin')[] = ['member']) {
  const c = await connectUser(server, sub, roles);
  clients.push(c);
  return c;
}

async function channel(opts: { private?: boolean; members?: string[] } = {}) {
  const id = uid('c');
  await createChannel(server, { id, private: opts.private ?? false, members: opts.members ?? [] });
  return id;
}

function expectError(ack: unknown, code: string) {
  const parsed = AnyAck.parse(ack);
  expect(parsed.ok, JSON.stringify(ack)).toBe(false);
  if (!parsed.ok) expect(parsed.error.code).toBe(code);
}

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.dispose();
});

describe('channel:join and channel:leave (CHAN-2, CHAN-3)', () => {
  it('joins a public channel and reports its state', async () => {
    const alice = await user(uid('alice'));
    const id = await channel();
    const ack = ackSchemaFor('channel:join').parse(await alice.call('channel:join', { channelId: id }));
    expect(ack).toEqual({ ok: true, data: { channelId: id, private: false, lastSeq: 0 } });
    expect((await alice.call('channel:join', { channelId: id })).ok).toBe(true);
  });

  it('opens a private channel to members and admins only', async () => {
    const member = uid('member');
    const id = await channel({ private: true, members: [member] });
    expect((await (await user(member)).call('channel:join', { channelId: id })).ok).toBe(true);
    expectError(await (await user(uid('stranger'))).call('channel:join', { channelId: id }), 'FORBIDDEN');
    expect((await (await user(uid('root'), ['admin'])).call('channel:join', { channelId: id })).ok).toBe(true);
  });

  it('refuses unknown channels and malformed ids', async () => {
    const c = await user(uid('u'));
    expectError(await c.call('channel:join', { channelId: 'no-such-channel' }), 'NOT_FOUND');
    expectError(await c.call('channel:join', { channelId: '../etc' }), 'VALIDATION');
    expectError(await c.raw('channel:join', { channelId: 42 }), 'VALIDATION');
  });

  it('leaves a channel, stops receiving it, and leaving twice is fine', async () => {
    const [a, b] = [await user(uid('a')), await user(uid('b'))];
    const id = await channel();
    await a.call('channel:join', { channelId: id });
    await b.call('channel:join', { channelId: id });
    expect(await b.call('channel:leave', { channelId: id })).toEqual({ ok: true, data: { channelId: id } });
    expect((await b.call('channel:leave', { channelId: id })).ok).toBe(true);
    expectError(await b.call('channel:leave', { channelId: 'nope-nope' }), 'NOT_FOUND');
    await a.call('message:send', { channelId: id, text: 'after leave', clientMsgId: uid('m') });
    await a.next('message:new');
    await new Promise((r) => setTimeout(r, 200));
    expect(b.seen('message:new')).toHaveLength(0);
  });
});

describe('message:send (MSG-1..6)', () => {
  it('stores, acks and broadcasts to everyone in the channel, sender included', async () => {
    const [a, b] = [await user(uid('a')), await user(uid('b'))];
    const id = await channel();
    await a.call('channel:join', { channelId: id });
    await b.call('channel:join', { channelId: id });
    const ack = ackSchemaFor('message:send').parse(await a.call('message:send', { channelId: id, text: 'hello <b>world</b>', clientMsgId: uid('m') }));
    if (!ack.ok) throw new Error(JSON.stringify(ack));
    expect(ack.data).toMatchObject({ channelId: id, text: 'hello <b>world</b>', html: 'hello &lt;b&gt;world&lt;/b&gt;', seq: 1, editedAt: null });
    expect(Message.parse(await b.next('message:new'))).toEqual(ack.data);
    expect(Message.parse(await a.next('message:new'))).toEqual(ack.data);
  });

  it('refuses a socket that has not joined, and unknown channels', async () => {
    const c = await user(uid('u'));
    const id = await channel();
    expectError(await c.call('message:send', { channelId: id, text: 'x', clientMsgId: uid('m') }), 'FORBIDDEN');
    expectError(await c.call('message:send', { channelId: 'ghost-channel', text: 'x', clientMsgId: uid('m') }), 'NOT_FOUND');
  });

  it('accepts 2000 code points and refuses 2001, empty, and text that normalises to nothing', async () => {
    const c = await user(uid('u'));
    const id = await channel();
    await c.call('channel:join', { channelId: id });
    const astral = '😀'.repeat(TEXT_MAX_CODE_POINTS); // 2000 code points, 4000 UTF-16 units
    const ok = await c.call('message:send', { channelId: id, text: astral, clientMsgId: uid('m') });
    expect(ok.ok && ok.data.text).toBe(astral);
    expectError(await c.call('message:send', { channelId: id, text: 'a'.repeat(2001), clientMsgId: uid('m') }), 'VALIDATION');
    expectError(await c.call('message:send', { channelId: id, text: '', clientMsgId: uid('m') }), 'VALIDATION');
    expectError(await c.call('message:send', { channelId: id, text: '\u0000\u0007', clientMsgId: uid('m') }), 'VALIDATION');
    expectError(await c.call('message:send', { channelId: id, text: 'ok', clientMsgId: 'has space' }), 'VALIDATION');
  });

  it('returns the first message for a repeated clientMsgId and broadcasts once (MSG-4)', async () => {
    const [a, b] = [await user(uid('a')), await user(uid('b'))];
    const id = await channel();
    await a.call('channel:join', { channelId: id });
    await b.call('channel:join', { channelId: id });
    const key = uid('m');
    const first = await a.call('message:send', { channelId: id, text: 'once', clientMsgId: key });
    const again = await a.call('message:send', { channelId: id, text: 'changed', clientMsgId: key });
    expect(again).toEqual(first);
    await b.next('message:new');
    await new Promise((r) => setTimeout(r, 300));
    expect(b.seen('message:new')).toHaveLength(0);
    // The key is per user: someone else may use the same one.
    const other = await b.call('message:send', { channelId: id, text: 'mine', clientMsgId: key });
    expect(other.ok && first.ok && other.data.id !== first.data.id).toBe(true);
  });

  it('validates attachments (MSG-5)', async () => {
    const c = await user(uid('u'));
    const id = await channel();
    await c.call('channel:join', { channelId: id });
    const good = { url: 'https://example.com/a.png', name: 'a <b>.png', size: 10, mimeType: 'image/png' as const };
    const ack = await c.call('message:send', { channelId: id, text: 'pic', clientMsgId: uid('m'), attachments: [good] });
    expect(ack.ok && ack.data.attachments).toEqual([{ ...good, nameHtml: 'a &lt;b&gt;.png' }]);
    const bad: unknown[] = [
      [{ ...good, url: 'http://example.com/a.png' }],
      [{ ...good, url: 'javascript:alert(1)' }],
      [{ ...good, size: 10 * 1024 * 1024 + 1 }],
      [{ ...good, mimeType: 'text/html' }],
      Array(6).fill(good),
    ];
    for (const attachments of bad) {
      expectError(await c.raw('message:send', { channelId: id, text: 'x', clientMsgId: uid('m'), attachments }), 'VALIDATION');
    }
  });

  it('assigns seq in order and history returns pages in ascending seq (MSG-6, HIST-1)', async () => {
    const c = await user(uid('u'));
    const id = await channel();
    await c.call('channel:join', { channelId: id });
    for (let i = 1; i <= 7; i++) await c.call('message:send', { channelId: id, text: `m${i}`, clientMsgId: uid('m') });
    const all = ackSchemaFor('channel:history').parse(await c.call('channel:history', { channelId: id }));
    expect(all.ok && all.data.messages.map((m) => m.text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    expect(all.ok && all.data.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const page = await c.call('channel:history', { channelId: id, beforeSeq: 6, limit: 3 });
    expect(page.ok && page.data.messages.map((m) => m.seq)).toEqual([3, 4, 5]);
    expectError(await c.call('channel:history', { channelId: id, limit: 101 }), 'VALIDATION');
  });
});

describe('message:edit (MSG-7)', () => {
  it('lets the author edit and tells the channel; refuses others and unknown ids', async () => {
    const [a, b] = [await user(uid('a')), await user(uid('b'))];
    const id = await channel();
    await a.call('channel:join', { channelId: id });
    await b.call('channel:join', { channelId: id });
    const sent = await a.call('message:send', { channelId: id, text: 'draft', clientMsgId: uid('m') });
    if (!sent.ok) throw new Error('send failed');
    const edited = await a.call('message:edit', { messageId: sent.data.id, text: 'final <i>' });
    expect(edited.ok && edited.data).toMatchObject({ id: sent.data.id, seq: sent.data.seq, text: 'final <i>', html: 'final &lt;i&gt;' });
    expect(edited.ok && edited.data.editedAt).not.toBeNull();
    expect(Message.parse(await b.next('message:updated')).text).toBe('final <i>');
    expectError(await b.call('message:edit', { messageId: sent.data.id, text: 'hijack' }), 'FORBIDDEN');
    expectError(await a.call('message:edit', { messageId: '00000000-0000-0000-0000-000000000000', text: 'x' }), 'NOT_FOUND');
  });
});

describe('history access (HIST-2)', () => {
  it('reads public history without joining; private only for members', async () => {
    const member = uid('member');
    const pub = await channel();
    const priv = await channel({ private: true, members: [member] });
    const outsider = await user(uid('outsider'));
    expect((await outsider.call('channel:history', { channelId: pub })).ok).toBe(true);
    expectError(await outsider.call('channel:history', { channelId: priv }), 'FORBIDDEN');
    expectError(await outsider.call('channel:history', { channelId: 'never-made' }), 'NOT_FOUND');
    expect((await (await user(member)).call('channel:history', { channelId: priv })).ok).toBe(true);
  });
});

describe('presence (PRES-1, PRES-2)', () => {
  it('sends status changes to the user’s channels, invisible as offline, and offline on last disconnect', async () => {
    const [a, b] = [await user(uid('a')), await user(uid('b'))];
    const id = await channel();
    await a.call('channel:join', { channelId: id });
    await b.call('channel:join', { channelId: id });
    expect(await a.call('presence:update', { status: 'busy' })).toEqual({ ok: true, data: { status: 'busy' } });
    expect(await b.next('presence')).toMatchObject({ status: 'busy' });
    await a.call('presence:update', { status: 'invisible' });
    expect(await b.next('presence')).toMatchObject({ status: 'offline' });
    expectError(await a.raw('presence:update', { status: 'sleeping' }), 'VALIDATION');
    a.close();
    expect(await b.next('presence')).toMatchObject({ status: 'offline' });
  });
});

describe('malformed calls (ACK-3..6)', () => {
  it('answers unknown events VALIDATION and bad payload types without crashing', async () => {
    expectError(await (await user(uid('u'))).raw('no:such:event', {}), 'VALIDATION');
    // A fresh user per payload: every call counts against its limit, valid or not (RATE-4).
    for (const payload of [null, 'text', 42, [], true, { channelId: { $ne: 1 } }]) {
      const c = await user(uid('u'), ['moderator']);
      for (const event of ['channel:join', 'message:send', 'message:edit', 'typing:start', 'moderation:ban', 'channel:history']) {
        expectError(await c.raw(event, payload), 'VALIDATION');
      }
      expect(c.connected).toBe(true);
    }
  });

  it('counts events without a callback as rejected and does not process them', async () => {
    const c = await user(uid('u'));
    const id = await channel();
    await c.call('channel:join', { channelId: id });
    const before = (await getJson(`${server.url}/metrics/socket`, SocketMetrics)).body;
    (c.socket as unknown as { emit: (e: string, p: unknown) => void }).emit('message:send', { channelId: id, text: 'no ack', clientMsgId: uid('m') });
    (c.socket as unknown as { emit: (e: string, p: unknown) => void }).emit('unknown:event', {});
    await new Promise((r) => setTimeout(r, 300));
    const after = (await getJson(`${server.url}/metrics/socket`, SocketMetrics)).body;
    expect(after.eventsRejected - before.eventsRejected).toBe(2);
    expect(after.messagesSent).toBe(before.messagesSent);
    const hist = await c.call('channel:history', { channelId: id });
    expect(hist.ok && hist.data.messages).toHaveLength(0);
  });
});
