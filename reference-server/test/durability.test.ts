import { afterEach, describe, expect, it } from 'vitest';
import { Message, SessionEnded, type Ack } from '../../spec/index.ts';
import { createChannel } from '../../testing/admin.ts';
import { connectUser, type ChatClient } from '../../testbed/clients/chat-client.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';
import { postgresAvailability, type PostgresService } from '../../testbed/services/index.ts';

const postgres = await postgresAvailability();

const disposables: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const d of disposables.splice(0).reverse()) await d();
});

async function readHistory(server: ServerProcess, channelId: string): Promise<Message[]> {
  const reader = await connectUser(server, 'reader');
  const all: Message[] = [];
  let beforeSeq: number | undefined;
  for (;;) {
    const page = await reader.call('channel:history', { channelId, limit: 100, ...(beforeSeq ? { beforeSeq } : {}) });
    if (!page.ok) throw new Error(JSON.stringify(page));
    all.unshift(...page.data.messages);
    if (page.data.messages.length < 100) break;
    beforeSeq = page.data.messages[0]!.seq;
  }
  reader.close();
  return all;
}

/**
 * Sends `count` messages with `concurrency` in flight; records which were acked ok. `onAck` runs
 * after each ok ack, so a test can strike when the stream is in full flow, whatever the machine's speed.
 */
async function sendStream(client: ChatClient, channelId: string, prefix: string, count: number, concurrency: number, onAck: (acked: number) => void = () => {}) {
  const acked = new Map<string, Message>();
  let next = 0;
  const worker = async () => {
    // Once the server has gone, every further send would only wait out its timeout.
    while (next < count && client.connected) {
      const key = `${prefix}-${next++}`;
      try {
        const ack = (await client.call('message:send', { channelId, text: `text of ${key}`, clientMsgId: key }, 3_000)) as Ack<Message>;
        if (ack.ok) {
          acked.set(key, ack.data);
          onAck(acked.size);
        }
      } catch {
        // no ack (the server died): unknown outcome, retried later
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return acked;
}

describe('acked messages survive a SIGKILL (DUR-1, DUR-2)', () => {
  it('keeps every acked message exactly once, and retries land exactly once', async () => {
    // This test sends hundreds of messages as one user: lift that limit, keep everything else.
    const server = await startServer({ env: { RATE_LIMITS: JSON.stringify({ connection: { points: 1000, durationMs: 60_000 }, 'message:send': { points: 10_000, durationMs: 60_000 } }) } });
    disposables.push(() => server.dispose());
    await createChannel(server, { id: 'crash-room' });
    const writer = await connectUser(server, 'writer');
    await writer.call('channel:join', { channelId: 'crash-room' });

    const total = 300;
    // SIGKILL once 30 messages are acked, with eight more in flight.
    const acked = await sendStream(writer, 'crash-room', 'k', total, 8, (n) => n === 30 && server.signal('SIGKILL'));
    await server.exited;
    writer.close();
    expect(acked.size).toBeGreaterThan(0);

    const restarted = await server.restart();
    disposables.push(() => restarted.kill());
    const history = await readHistory(restarted, 'crash-room');
    const byKey = new Map(history.map((m) => [m.clientMsgId, m]));
    expect(byKey.size).toBe(history.length); // no duplicates
    for (const [key, message] of acked) expect(byKey.get(key), `acked ${key} lost`).toEqual(message);
    const seqs = history.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    // The client retries everything it was not sure of, with the same keys (DUR-2).
    const retry = await connectUser(restarted, 'writer');
    await retry.call('channel:join', { channelId: 'crash-room' });
    for (let i = 0; i < total; i++) {
      const key = `k-${i}`;
      if (acked.has(key)) continue;
      const ack = await retry.call('message:send', { channelId: 'crash-room', text: `text of ${key}`, clientMsgId: key });
      expect(ack.ok).toBe(true);
    }
    retry.close();
    const after = await readHistory(restarted, 'crash-room');
    expect(after).toHaveLength(total);
    expect(new Set(after.map((m) => m.clientMsgId)).size).toBe(total);
    console.log(`SIGKILL test: ${acked.size} of ${total} acked before the kill; all kept; ${total - acked.size} retried exactly once`);
  });
});

describe('a SIGKILL in the middle of a group commit (DUR-1, MSG-4)', () => {
  let lease: PostgresService | undefined;
  afterEach(async () => {
    await lease?.stop();
    lease = undefined;
  });
  const stores = [
    { name: 'embedded store', skip: undefined, env: async (): Promise<Record<string, string>> => ({}) },
    { name: 'PostgreSQL', skip: postgres.skip, env: async () => ({ DATABASE_URL: (lease = await postgres.start()).url }) },
  ];
  for (const kind of stores) {
    it.skipIf(kind.skip)(`${kind.name}: every acked send of many users survives exactly once, seq gap-free, retries land once`, async () => {
      const limits = { connection: { points: 1000, durationMs: 60_000 }, 'message:send': { points: 10_000, durationMs: 60_000 } };
      const server = await startServer({ env: { RATE_LIMITS: JSON.stringify(limits), ...(await kind.env()) } });
      disposables.push(() => server.dispose());
      await createChannel(server, { id: 'batch-room' });
      // Twelve users with two sends in flight each: their sends share batches.
      const writers = await Promise.all(Array.from({ length: 12 }, (_, i) => connectUser(server, `batcher-${i}`)));
      for (const w of writers) await w.call('channel:join', { channelId: 'batch-room' });
      const perWriter = 60;
      let ackedSoFar = 0;
      // The kill strikes with up to 24 sends in flight, in the batch being committed or queued behind it.
      const streams = writers.map((w, i) => sendStream(w, 'batch-room', `w${i}`, perWriter, 2, () => ++ackedSoFar === 150 && server.signal('SIGKILL')));
      const acked = new Map<string, Message>();
      for (const m of await Promise.all(streams)) for (const [k, v] of m) acked.set(k, v);
      await server.exited;
      for (const w of writers) w.close();
      expect(acked.size).toBeLessThan(writers.length * perWriter);

      const restarted = await server.restart();
      disposables.push(() => restarted.kill());
      const history = await readHistory(restarted, 'batch-room');
      expect(history.map((m) => m.seq)).toEqual(history.map((_, i) => i + 1)); // gap-free, nothing half-written
      const byKey = new Map(history.map((m) => [m.clientMsgId, m]));
      expect(byKey.size).toBe(history.length);
      for (const [key, message] of acked) expect(byKey.get(key), `acked ${key} lost`).toEqual(message);

      // Each user retries what it was not sure of, with the same keys (DUR-2), all at once: batches again.
      const retriers = await Promise.all(writers.map((_, i) => connectUser(restarted, `batcher-${i}`)));
      for (const r of retriers) await r.call('channel:join', { channelId: 'batch-room' });
      await Promise.all(
        retriers.map(async (r, i) => {
          const keys = Array.from({ length: perWriter }, (_, n) => `w${i}-${n}`).filter((k) => !acked.has(k));
          // Eight at a time per socket, well inside IN_FLIGHT_MAX (RATE-8).
          for (let at = 0; at < keys.length; at += 8) {
            const acks = await Promise.all(keys.slice(at, at + 8).map((key) => r.call('message:send', { channelId: 'batch-room', text: `text of ${key}`, clientMsgId: key })));
            for (const ack of acks) expect(ack.ok).toBe(true);
          }
        }),
      );
      for (const r of retriers) r.close();
      const after = await readHistory(restarted, 'batch-room');
      expect(after).toHaveLength(writers.length * perWriter);
      expect(new Set(after.map((m) => m.clientMsgId)).size).toBe(after.length);
      expect(after.map((m) => m.seq)).toEqual(after.map((_, i) => i + 1));
      console.log(`${kind.name}: SIGKILL with sends of ${writers.length} users in flight: ${acked.size} of ${after.length} acked before, all kept; the rest retried exactly once`);
    }, 120_000);
  }
});

describe('graceful shutdown (OPS-2, SES-1, HLTH-3)', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: drains within SOCKETIO_SHUTDOWN_TIMEOUT, tells clients, exits 0, loses no acked message`, async () => {
      const timeoutSec = 5;
      const server = await startServer({
        env: { SOCKETIO_SHUTDOWN_TIMEOUT: String(timeoutSec), RATE_LIMITS: JSON.stringify({ connection: { points: 1000, durationMs: 60_000 }, 'message:send': { points: 10_000, durationMs: 60_000 } }) },
      });
      disposables.push(() => server.dispose());
      await createChannel(server, { id: 'drain-room' });
      const writer = await connectUser(server, 'drainer');
      const watcher = await connectUser(server, 'watcher');
      await writer.call('channel:join', { channelId: 'drain-room' });

      let signalledAt = 0;
      const streaming = sendStream(writer, 'drain-room', signal, 200, 6, (n) => {
        if (n !== 20) return;
        signalledAt = Date.now();
        server.signal(signal);
      });
      const [acked, exit] = await Promise.all([streaming, server.exited]);
      const tookMs = Date.now() - signalledAt;

      expect(exit).toEqual({ code: 0, signal: null });
      expect(tookMs).toBeLessThan(timeoutSec * 1000);
      expect(SessionEnded.parse(watcher.seen('session:ended')[0])).toMatchObject({ code: 'UNAVAILABLE' });
      expect(server.logLines().some((l) => l.msg === 'draining' && l.signal === signal)).toBe(true);

      const restarted = await server.restart();
      disposables.push(() => restarted.kill());
      const keys = new Set((await readHistory(restarted, 'drain-room')).map((m) => m.clientMsgId));
      for (const key of acked.keys()) expect(keys.has(key), `acked ${key} lost`).toBe(true);
      console.log(`${signal}: drained in ${tookMs} ms with ${acked.size} acked messages, all kept`);
    });
  }
});

describe('how a drain ends a connection (OPS-2a)', () => {
  it('closes at the transport after session:ended, so clients reconnect by themselves', async () => {
    const server = await startServer();
    disposables.push(() => server.dispose());
    const client = await connectUser(server, 'reconnector');
    // Over polling the last packets wait for the client's next poll: they must not be discarded.
    const poller = await connectUser(server, 'poller', ['member'], { transports: ['polling'] });
    const reason = new Promise<string>((resolve) => client.socket.once('disconnect', (r) => resolve(r)));
    server.signal('SIGTERM');
    for (const c of [client, poller]) expect(SessionEnded.parse(await c.next('session:ended'))).toMatchObject({ code: 'UNAVAILABLE' });
    expect(await reason).toBe('transport close');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });
});
