import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthResponse, SocketMetrics } from '../../spec/index.ts';
import { createChannel, getJson } from '../../testing/admin.ts';
import { connectUser, type ChatClient } from '../../testbed/clients/chat-client.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer({
    env: {
      RATE_LIMITS: JSON.stringify({
        connection: { points: 100_000, durationMs: 60_000 },
        'typing:start': { points: 100_000, durationMs: 10_000 },
        'presence:update': { points: 100_000, durationMs: 30_000 },
      }),
    },
  });
  await createChannel(server, { id: 'load-room' });
});
afterAll(async () => server?.dispose());

const metrics = async () => (await getJson(`${server.url}/metrics/socket`, SocketMetrics)).body;

describe('an oversized packet drops only its sender (TRN-3)', () => {
  for (const transport of ['websocket', 'polling'] as const) {
    it(`over ${transport}: the sender is disconnected, others carry on, the server lives`, async () => {
      const sender = await connectUser(server, `big-${transport}`, ['member'], { transports: [transport] });
      const bystander = await connectUser(server, `bystander-${transport}`);
      for (const c of [sender, bystander]) await c.call('channel:join', { channelId: 'load-room' });
      const huge = 'x'.repeat(1_100_000);
      const reply = sender.raw('message:send', { channelId: 'load-room', text: huge, clientMsgId: `huge-${transport}` }, 5_000).catch(() => 'no ack');
      await sender.next('disconnect', 10_000);
      expect(await reply).toBe('no ack');
      expect(bystander.connected).toBe(true);
      const ack = await bystander.call('message:send', { channelId: 'load-room', text: 'still fine', clientMsgId: `after-huge-${transport}` });
      expect(ack.ok).toBe(true);
      expect((await getJson(`${server.url}/health/socket`, HealthResponse)).body.status).toBe('healthy');
      bystander.close();
    });
  }
});

describe('per-connection state returns to baseline (SES-2)', () => {
  it('after 500 connect/join/typing/presence/disconnect cycles', async () => {
    const baseline = await metrics();
    const cycles = 500;
    const batch = 25;
    for (let done = 0; done < cycles; done += batch) {
      await Promise.all(
        Array.from({ length: batch }, async (_, i) => {
          const c: ChatClient = await connectUser(server, `cycler-${(done + i) % 50}`);
          await c.call('channel:join', { channelId: 'load-room' });
          await c.call('typing:start', { channelId: 'load-room' });
          await c.call('presence:update', { status: 'away' });
          c.close();
        }),
      );
    }
    // Disconnects are processed asynchronously: wait (bounded) for the gauges to settle.
    let now = await metrics();
    for (let i = 0; i < 50 && JSON.stringify(now.state) !== JSON.stringify(baseline.state); i++) {
      await new Promise((r) => setTimeout(r, 100));
      now = await metrics();
    }
    expect(now.state).toEqual(baseline.state);
    expect(now.activeConnections).toBe(baseline.activeConnections);
    expect(now.totalConnections - baseline.totalConnections).toBe(cycles);
    console.log(
      `500 cycles: heap ${(baseline.memory.heapUsedBytes / 1e6).toFixed(1)} MB -> ${(now.memory.heapUsedBytes / 1e6).toFixed(1)} MB, state ${JSON.stringify(now.state)}`,
    );
  });
});

describe('a handler that throws (ACK-6, OPS-3, OPS-4)', () => {
  it('answers INTERNAL, logs the failure with event, user and socket, and keeps serving', async () => {
    const faulty = await startServer({ env: { SOCKPROOF_FAULTS: 'throw-in-handler' } });
    try {
      const c = await connectUser(faulty, 'unlucky');
      const ack = await c.call('channel:history', { channelId: 'general' });
      expect(ack).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'internal error' } });
      const line = await faulty.waitForLog((l) => l.msg === 'handler failed');
      expect(line).toMatchObject({ level: 'error', event: 'channel:history', userId: 'unlucky', socketId: c.socket.id });
      expect(typeof line.time).toBe('string');
      // The same socket and process go on serving.
      expect((await c.call('channel:join', { channelId: 'general' })).ok).toBe(true);
      expect((await getJson(`${faulty.url}/health/socket`, HealthResponse)).status).toBe(200);
      c.close();
    } finally {
      await faulty.dispose();
    }
  });
});
