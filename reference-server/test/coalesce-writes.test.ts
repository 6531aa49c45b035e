import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Message } from '../../spec/index.ts';
import { createChannel } from '../../testing/admin.ts';
import { connectUser, type ChatClient } from '../../testbed/clients/chat-client.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';

/**
 * The server sends everything queued for a socket in one write (connection/coalesce-writes.ts). What a
 * client relies on must not change with it: under a burst that queues many frames per socket at once
 * (broadcasts of a group commit and the sender's acks), every socket gets every message once, in seq
 * order, every send its ack, and the socket keeps receiving after the burst (never left corked).
 */
const CHANNEL = 'coalesce-room';
const USERS = 4;
const ROUNDS = 5;
const PER_ROUND = 12; // under IN_FLIGHT_MAX (32): none refused

let server: ServerProcess;
let clients: ChatClient[] = [];
beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMITS: JSON.stringify({ connection: { points: 1_000, durationMs: 60_000 }, 'message:send': { points: 10_000, durationMs: 60_000 } }) } });
  await createChannel(server, { id: CHANNEL });
  clients = await Promise.all(Array.from({ length: USERS }, (_, i) => connectUser(server, `coalesce-${i}`)));
  for (const c of clients) expect((await c.call('channel:join', { channelId: CHANNEL })).ok).toBe(true);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.dispose();
});

describe('write coalescing keeps delivery whole and ordered', () => {
  it('a burst from every member reaches every member once, in seq order, with every ack', async () => {
    const acked: Message[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const sends = clients.flatMap((c, u) =>
        Array.from({ length: PER_ROUND }, (_, i) => c.call('message:send', { channelId: CHANNEL, text: `r${round} u${u} #${i}`, clientMsgId: `co-${round}-${u}-${i}` })),
      );
      for (const ack of await Promise.all(sends)) {
        expect(ack.ok).toBe(true);
        if (ack.ok) acked.push(Message.parse(ack.data));
      }
    }
    const total = USERS * ROUNDS * PER_ROUND;
    const seqs = acked.map((m) => m.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(total);

    for (const c of clients) {
      const got: Message[] = [];
      for (let i = 0; i < total; i++) got.push(Message.parse(await c.next('message:new')));
      // Each broadcast once, in the order the store numbered them, equal to the sender's ack.
      expect(got.map((m) => m.seq)).toEqual(seqs);
      const byId = new Map(acked.map((m) => [m.id, m]));
      for (const m of got) expect(m).toEqual(byId.get(m.id));
    }

    // After the burst a lone send still reaches everyone: no socket was left holding its output.
    const last = await clients[0]!.call('message:send', { channelId: CHANNEL, text: 'after the burst', clientMsgId: 'co-last' });
    expect(last.ok).toBe(true);
    for (const c of clients) expect(Message.parse(await c.next('message:new')).text).toBe('after the burst');
  });
});
