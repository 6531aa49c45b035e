import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Message } from '../../spec/index.ts';
import { coalesceWrites, flushOncePerTurn } from '../connection/coalesce-writes.ts';
import type { ChatSocket, NodeContext } from '../context.ts';
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

/**
 * The hooks lean on Engine.IO and ws internals (flush/drain events, the transport's `writable`, ws's
 * `_socket`): if an upgrade of either changed them, the hooks would silently do nothing. This counts the
 * system-level writes of a real TCP socket while a turn emits many packets to it, with and without them.
 */
async function writesForOneTurn(hooks: Array<(ctx: NodeContext, socket: ChatSocket) => void>, packets: number): Promise<number> {
  const http = createServer();
  const server = new Server(http, { transports: ['websocket'] });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const connected = new Promise<ServerSocket>((resolve) => server.on('connection', resolve));
  const client = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
  try {
    const socket = await connected;
    const ctx = { config: { socketBounds: { outgoingBufferMaxBytes: 8 * 1024 * 1024 } } } as unknown as NodeContext;
    for (const hook of hooks) hook(ctx, socket as unknown as ChatSocket);
    await new Promise((r) => setTimeout(r, 50)); // the CONNECT packet is out
    const raw = (socket.conn as unknown as { transport: { socket: { _socket: { _writev: unknown; _write: unknown } } } }).transport.socket._socket;
    let writes = 0;
    for (const name of ['_writev', '_write'] as const) {
      const original = raw[name] as (...args: unknown[]) => unknown;
      raw[name] = function (this: unknown, ...args: unknown[]) {
        writes++;
        return original.apply(this, args);
      };
    }
    let received = 0;
    const all = new Promise<void>((resolve) => client.on('tick', () => ++received === packets && resolve()));
    for (let i = 0; i < packets; i++) socket.emit('tick', i);
    await all;
    return writes;
  } finally {
    client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('write coalescing takes effect (connection/coalesce-writes.ts)', () => {
  it('the packets one turn emits to a socket leave in one write, where stock Socket.IO makes one per packet', async () => {
    const packets = 20;
    expect(await writesForOneTurn([], packets)).toBeGreaterThanOrEqual(packets / 2);
    expect(await writesForOneTurn([coalesceWrites, flushOncePerTurn], packets)).toBe(1);
  });
});
