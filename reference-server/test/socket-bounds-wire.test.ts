import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_FLIGHT_RETRY_AFTER_MS, mintToken, SocketMetrics, SpecDocument } from '../../spec/index.ts';
import { EvidenceRecorder } from '../../spec/conformance/wire/evidence.ts';
import { PollingSession } from '../../spec/conformance/wire/polling.ts';
import { RawWebSocket } from '../../spec/conformance/wire/raw-websocket.ts';
import { createChannel, getJson } from '../../testing/admin.ts';
import { connectUser } from '../../testbed/clients/chat-client.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';

/** Small bounds so that a few hundred KB of history show them (RATE-7, RATE-8). */
const OUTGOING_MAX = 256 * 1024;
const IN_FLIGHT = 2;
const CHANNEL = 'bounds-room';

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer({
    env: {
      OUTGOING_BUFFER_MAX_BYTES: String(OUTGOING_MAX),
      IN_FLIGHT_MAX: String(IN_FLIGHT),
      RATE_LIMITS: JSON.stringify({ connection: { points: 1_000, durationMs: 60_000 }, 'message:send': { points: 1_000, durationMs: 60_000 }, 'channel:history': { points: 100_000, durationMs: 60_000 } }),
    },
  });
  await createChannel(server, { id: CHANNEL });
  // A page of history of about 100 KB: '"' grows in the JSON text and in the HTML.
  const writer = await connectUser(server, 'bounds-writer');
  await writer.call('channel:join', { channelId: CHANNEL });
  for (let i = 0; i < 8; i++) expect((await writer.call('message:send', { channelId: CHANNEL, text: '"'.repeat(2000), clientMsgId: `bounds-${i}` })).ok).toBe(true);
  writer.close();
});
afterAll(async () => server?.dispose());

const metrics = async () => (await getJson(`${server.url}/metrics/socket`, SocketMetrics)).body;
const historyRequest = (id: number) => `42${id}${JSON.stringify(['channel:history', { channelId: CHANNEL, limit: 100 }])}`;

describe('published (SPECDOC-1)', () => {
  it('GET /spec carries the configured per-socket bounds', async () => {
    const { body } = await getJson(`${server.url}/spec`, SpecDocument);
    expect(body.limits).toMatchObject({ outgoingBufferMaxBytes: OUTGOING_MAX, inFlightMax: IN_FLIGHT });
  });
});

describe('a slow consumer is cut (RATE-7)', () => {
  it('over WebSocket: a reader that stopped is disconnected, logged without its token, counted; others carry on', async () => {
    const before = await metrics();
    const token = await mintToken(server.secret, { sub: 'bounds-stalled' });
    const reader = await RawWebSocket.open(server.url, '/socket.io');
    expect(await reader.connect(token)).toMatch(/^40/);
    reader.pause();
    reader.answerPings = false;
    // One page at a time (under the in-flight cap), far more than the cap and the kernel's buffers.
    for (let i = 0; i < 400 && reader.isOpen; i++) {
      reader.send(historyRequest(i));
      await new Promise((r) => setTimeout(r, 5));
    }
    const line = await server.waitForLog((l) => l.msg === 'slow consumer disconnected' && l.userId === 'bounds-stalled', 10_000);
    expect(line).toMatchObject({ level: 'warn', maxBytes: OUTGOING_MAX, transport: 'websocket' });
    expect(line.unsentBytes as number).toBeGreaterThan(OUTGOING_MAX);
    expect(JSON.stringify(line)).not.toContain(token);
    expect((await metrics()).slowConsumersDisconnected! - before.slowConsumersDisconnected!).toBe(1);
    reader.destroy();

    const other = await connectUser(server, 'bounds-other');
    expect((await other.call('channel:history', { channelId: CHANNEL, limit: 100 })).ok).toBe(true);
    other.close();
  });

  it('over long-polling: a client that stops polling is disconnected once its queued answers pass the cap', async () => {
    const recorder = new EvidenceRecorder();
    const { session } = await PollingSession.handshake(server.url, '/socket.io', recorder, 'stalled poller');
    if (!session) throw new Error('no polling handshake');
    await session.post([`40${JSON.stringify({ token: await mintToken(server.secret, { sub: 'bounds-poller' }) })}`]);
    await session.poll(5_000); // the CONNECT answer; after this, no more polls until the end
    for (let i = 0; i < 10; i++) {
      await session.post([historyRequest(i)]);
      await new Promise((r) => setTimeout(r, 50));
    }
    const line = await server.waitForLog((l) => l.msg === 'slow consumer disconnected' && l.userId === 'bounds-poller', 10_000);
    expect(line).toMatchObject({ transport: 'polling' });
    const after = await session.poll(3_000);
    expect(after.kind === 'error' || (after.kind === 'packets' && !after.packets.some((p) => p.startsWith('43')))).toBe(true);
  });
});

describe('events in flight are capped per socket (RATE-8)', () => {
  it('a burst past the cap is refused at once RATE_LIMITED with retryAfterMs, and the socket is served again afterwards', async () => {
    const sock = await RawWebSocket.open(server.url, '/socket.io');
    expect(await sock.connect(await mintToken(server.secret, { sub: 'bounds-burst' }))).toMatch(/^40/);
    const answers: unknown[] = [];
    sock.onMessage = (text) => {
      if (text.startsWith('43')) answers.push(JSON.parse(text.slice(text.indexOf('[')))[0]);
    };
    // Small pages: the burst's answers stay under the output cap.
    const BURST = 50;
    sock.sendMany(Array.from({ length: BURST }, (_, i) => `42${i}${JSON.stringify(['channel:history', { channelId: CHANNEL, limit: 1 }])}`));
    const deadline = performance.now() + 10_000;
    while (answers.length < BURST && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(answers).toHaveLength(BURST);
    const served = answers.filter((a) => (a as { ok: boolean }).ok);
    const refused = answers.filter((a) => !(a as { ok: boolean }).ok);
    expect(served.length).toBeGreaterThanOrEqual(IN_FLIGHT);
    expect(refused.length).toBeGreaterThan(BURST / 2);
    for (const r of refused) expect(r).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryAfterMs: IN_FLIGHT_RETRY_AFTER_MS } });

    // Every slot was given back: events one at a time are all served.
    answers.length = 0;
    for (let i = 0; i < 5; i++) {
      sock.send(`42${100 + i}${JSON.stringify(['channel:history', { channelId: CHANNEL, limit: 1 }])}`);
      const until = performance.now() + 5_000;
      while (answers.length < i + 1 && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
    }
    expect(answers.map((a) => (a as { ok: boolean }).ok)).toEqual([true, true, true, true, true]);
    sock.destroy();
  });
});
