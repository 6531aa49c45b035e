// The reference server under the supervisor: acked messages survive every kill and restart,
// and SIGTERM to the supervisor drains the server so that clients see a clean close.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../spec/tokens.ts';
import { isAlive } from '../proc-identity.ts';
import { cleanUp, leftovers, makeStateDir, metricsOf, portOf, startForeground, supervisorEnv, supervisorLog, waitHealthyServer } from './harness.ts';

const SECRET = 'supervisor-test-secret-0123456789abcdef';
const CHANNEL = 'supervised';
const stateDir = makeStateDir();
// One DATA_DIR for every restart: the store must carry the messages across them.
const dataDir = mkdtempSync(join(tmpdir(), 'sockproof-sup-data-'));
const env = supervisorEnv(stateDir, {
  JWT_SECRET: SECRET,
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  // A first start on a busy machine can take seconds (Node and the code, not the store).
  SOCKETIO_STARTUP_TIMEOUT: '90',
  SOCKETIO_HEALTH_CHECK_TIMEOUT: '2',
  SOCKETIO_SHUTDOWN_TIMEOUT: '8',
  SOCKETIO_INITIAL_RETRY_DELAY: '0.1',
  SOCKETIO_MAX_RETRY_DELAY: '2',
});
let supervisor: ReturnType<typeof startForeground>;
const sockets: Socket[] = [];

beforeAll(async () => {
  supervisor = startForeground(env);
  await waitHealthyServer(stateDir, undefined, 100_000);
  const admin = await mintToken(SECRET, { sub: 'ops', roles: ['admin'] });
  const res = await fetch(`${baseUrl()}/admin/channels`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: CHANNEL, private: false, members: [] }),
  });
  expect(res.status).toBeLessThan(300);
}, 120_000);

afterAll(() => {
  for (const s of sockets) s.disconnect();
  cleanUp(stateDir, [supervisor]);
  rmSync(dataDir, { recursive: true, force: true });
});

function baseUrl(): string {
  const port = portOf(stateDir);
  if (!port) throw new Error('no port reported');
  return `http://127.0.0.1:${port}`;
}

async function connect(sub: string): Promise<Socket> {
  const token = await mintToken(SECRET, { sub });
  const socket = io(baseUrl(), { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const joined = await socket.timeout(5000).emitWithAck('channel:join', { channelId: CHANNEL });
  expect(joined).toMatchObject({ ok: true });
  return socket;
}

describe('reference server under the supervisor', () => {
  it('keeps every acked message through SIGKILL, SIGSEGV and SIGABRT of the server', async () => {
    const acked = new Map<string, number>();
    const recoveryMs: Record<string, number> = {};
    let pid = (await waitHealthyServer(stateDir))!;
    for (const signal of ['SIGKILL', 'SIGSEGV', 'SIGABRT'] as const) {
      const socket = await connect(`writer-${signal}`);
      for (let i = 0; i < 5; i++) {
        const ack = await socket.timeout(5000).emitWithAck('message:send', { channelId: CHANNEL, text: `${signal} #${i}`, clientMsgId: `${signal}-${i}` });
        expect(ack).toMatchObject({ ok: true });
        acked.set(ack.data.id, ack.data.seq);
      }
      const t0 = Date.now();
      process.kill(pid, signal);
      const next = await waitHealthyServer(stateDir, pid, 100_000);
      recoveryMs[signal] = Date.now() - t0;
      expect(isAlive(pid)).toBe(false);
      pid = next;
      socket.disconnect();
    }
    console.log(`reference server, signal -> healthy again (ms): ${JSON.stringify(recoveryMs)}`);

    const reader = await connect('reader');
    const history = await reader.timeout(5000).emitWithAck('channel:history', { channelId: CHANNEL, limit: 100 });
    expect(history).toMatchObject({ ok: true });
    const stored = history.data.messages as Array<{ id: string; seq: number }>;
    for (const [id, seq] of acked) expect(stored.filter((m) => m.id === id)).toEqual([expect.objectContaining({ id, seq })]);
    expect(metricsOf(stateDir)).toMatchObject({ restarts: 3, total_failures: 3, status: 'healthy' });
    reader.disconnect();
  }, 240_000);

  it('SIGTERM to the supervisor drains the server: clients get session:ended and a clean close, nothing is left', async () => {
    const clients = await Promise.all([connect('alice'), connect('bob')]);
    const seen = clients.map((socket) => {
      const record: { ended?: unknown; endedBeforeClose?: boolean; reason?: string } = {};
      socket.on('session:ended', (payload) => (record.ended = payload));
      const closed = new Promise<void>((resolve) =>
        socket.once('disconnect', (reason) => {
          record.reason = reason;
          record.endedBeforeClose = record.ended !== undefined;
          resolve();
        }),
      );
      return { record, closed };
    });
    const serverPid = (await waitHealthyServer(stateDir))!;
    supervisor.kill('SIGTERM');
    await Promise.all(seen.map((s) => s.closed));
    for (const { record } of seen) {
      expect(record.ended).toMatchObject({ code: 'UNAVAILABLE' });
      expect(record.endedBeforeClose).toBe(true);
      // Told why, then closed by the server: not a transport error, not a ping timeout. (The
      // reference server closes the engine connection right after the disconnect packet, so
      // the client may report either.)
      expect(['io server disconnect', 'transport close']).toContain(record.reason);
    }
    expect(await supervisor.exitedWith).toEqual({ code: 0, signal: null });
    expect(isAlive(serverPid)).toBe(false);
    expect(supervisorLog(stateDir).findLast((l) => l.msg === 'server stopped')).toMatchObject({ exit: { code: 0, signal: null }, forced: false });
    expect(leftovers(stateDir)).toEqual([]);
  }, 60_000);
});
