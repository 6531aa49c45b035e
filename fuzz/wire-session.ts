import { WebSocket } from 'ws';
import type { Frame } from './frames.ts';

/**
 * One fuzzing connection, authenticated and joined like a real member, over raw Engine.IO framing so that
 * any frame can be sent: WebSocket frames through `ws`, long-polling payloads through fetch. A server that
 * closes the session on a bad frame is doing its job: `send` says how many frames went out before it saw
 * the session end, and the run goes on with the rest on a new session.
 */
export interface FuzzSession {
  readonly transport: 'websocket' | 'polling';
  readonly open: boolean;
  /** Sends frames until the session ends; resolves with how many it sent. */
  send(frames: readonly Frame[]): Promise<number>;
  close(): void;
}

export interface SessionTarget {
  url: string;
  token: string;
  channelId: string;
}

const OPEN_TIMEOUT_MS = 5_000;
const ENGINE_PATH = '/socket.io/?EIO=4';
const CONNECT = (token: string) => `40${JSON.stringify({ token })}`;
const JOIN = (channelId: string) => `421${JSON.stringify(['channel:join', { channelId }])}`;
/** Frames per long-polling POST: a payload of several packets is part of what is fuzzed. */
const FRAMES_PER_POST = 2;
/** How long a frame may take to be read before the next one goes out anyway. */
const SETTLE_TIMEOUT_MS = 1_000;

class SessionOpenError extends Error {
  override name = 'SessionOpenError';
}

/** Engine.IO packets of a server message: long-polling joins them with the record separator. */
const packetsOf = (text: string) => text.split('\u001e');

/** Opens a WebSocket session: Engine.IO open, Socket.IO CONNECT with the token, then channel:join acked. */
export async function openWebSocketSession(target: SessionTarget): Promise<FuzzSession> {
  const ws = new WebSocket(`${target.url.replace(/^http/, 'ws')}${ENGINE_PATH}&transport=websocket`);
  let open = true;
  ws.on('close', () => (open = false));
  ws.on('error', () => (open = false));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new SessionOpenError('websocket session did not open, connect and join within 5 s')), OPEN_TIMEOUT_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new SessionOpenError(why));
    };
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const text = isBinary ? '' : data.toString();
      if (text === '2') ws.send('3'); // Engine.IO ping: keep the session alive while we fuzz it
      else if (text.startsWith('0{')) ws.send(CONNECT(target.token));
      else if (text.startsWith('40{')) ws.send(JOIN(target.channelId));
      else if (text.startsWith('44')) fail(`CONNECT refused: ${text.slice(2, 200)}`);
      else if (text.startsWith('431[')) {
        // Joined, or refused (a rate limit on joins, say): either way the member fuzzes on with this session.
        clearTimeout(timer);
        resolve();
      }
    });
    ws.once('error', (err) => fail(err.message));
    ws.once('close', () => fail('closed while opening'));
  });
  /**
   * A WebSocket ping after the frame: the server's WebSocket layer answers it only after it has handed the
   * frame to Engine.IO, so once the pong (or the close the frame caused) is back, the next frame never goes
   * into a session the server is already ending.
   */
  const settled = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        ws.off('pong', done);
        ws.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, SETTLE_TIMEOUT_MS);
      ws.once('pong', done);
      ws.once('close', done);
      if (ws.readyState === WebSocket.OPEN) ws.ping();
      else done();
    });
  return {
    transport: 'websocket',
    get open() {
      return open && ws.readyState === WebSocket.OPEN;
    },
    async send(frames) {
      let sent = 0;
      for (const f of frames) {
        if (!open || ws.readyState !== WebSocket.OPEN) break;
        ws.send(f.data, { binary: typeof f.data !== 'string' });
        sent++;
        await settled();
      }
      return sent;
    },
    close() {
      ws.terminate();
    },
  };
}

/** Engine.IO 4 long-polling payloads: packets separated by the record separator, binary ones as "b" + base64. */
function pollingPayload(frames: readonly Frame[]): string {
  return frames.map((f) => (typeof f.data === 'string' ? f.data : `b${Buffer.from(f.data).toString('base64')}`)).join('\u001e');
}

/** Opens a long-polling session: handshake, CONNECT with the token, channel:join acked; each POST then carries a few frames. */
export async function openPollingSession(target: SessionTarget): Promise<FuzzSession> {
  const base = `${target.url}${ENGINE_PATH}&transport=polling`;
  const res = await fetch(base, { signal: AbortSignal.timeout(OPEN_TIMEOUT_MS) });
  const body = await res.text();
  const sid = /"sid":"([^"]+)"/.exec(body)?.[1];
  if (!res.ok || !sid) throw new SessionOpenError(`polling handshake answered ${res.status}: ${body.slice(0, 120)}`);
  const url = `${base}&sid=${encodeURIComponent(sid)}`;
  let open = true;
  const post = async (payload: string) => {
    const r = await fetch(url, { method: 'POST', body: payload, headers: { 'content-type': 'text/plain;charset=UTF-8' }, signal: AbortSignal.timeout(OPEN_TIMEOUT_MS) }).catch(() => undefined);
    await r?.text().catch(() => undefined);
    if (!r || r.status !== 200) open = false;
  };
  /** One poll; answers a ping in it. `waitMs` bounds a poll the server holds open when it has nothing to say. */
  const poll = async (waitMs: number): Promise<string[]> => {
    const r = await fetch(url, { signal: AbortSignal.timeout(waitMs) }).catch(() => undefined);
    const packets = r && r.status === 200 ? packetsOf(await r.text().catch(() => '')) : [];
    if (!r || r.status !== 200) open = false;
    if (packets.includes('2')) await post('3');
    return packets;
  };
  const until = async (what: string, found: (packets: string[]) => boolean) => {
    const deadline = Date.now() + OPEN_TIMEOUT_MS;
    while (open && Date.now() < deadline) if (found(await poll(OPEN_TIMEOUT_MS))) return;
    throw new SessionOpenError(`polling session: no ${what} within 5 s`);
  };
  await post(CONNECT(target.token));
  await until('CONNECT answer', (p) => p.some((x) => x.startsWith('40{')));
  await post(JOIN(target.channelId));
  await until('channel:join answer', (p) => p.some((x) => x.startsWith('431[')));
  return {
    transport: 'polling',
    get open() {
      return open;
    },
    async send(frames) {
      let sent = 0;
      for (let i = 0; i < frames.length && open; i += FRAMES_PER_POST) {
        const chunk = frames.slice(i, i + FRAMES_PER_POST);
        await post(pollingPayload(chunk));
        sent += chunk.length;
      }
      // A short poll takes what the server queued (acks, errors) and answers its ping, as a client would.
      if (open) await poll(200).catch(() => undefined);
      return sent;
    },
    close() {
      if (open) void post('1');
      open = false;
    },
  };
}
