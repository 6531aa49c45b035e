import { WebSocket } from 'ws';
import type { Frame } from './frames.ts';

/**
 * One fuzzing connection, authenticated and joined like a real member, over raw Engine.IO framing so that
 * any frame can be sent: WebSocket frames through `ws`, long-polling payloads through fetch. A server that
 * closes the session on a bad frame is doing its job; the run opens another one.
 */
export interface FuzzSession {
  readonly transport: 'websocket' | 'polling';
  /** False once the server closed it (the run then opens another). */
  readonly open: boolean;
  send(frames: readonly Frame[]): Promise<void>;
  close(): void;
}

export interface SessionTarget {
  url: string;
  token: string;
  channelId: string;
}

const OPEN_TIMEOUT_MS = 5_000;
const ENGINE_PATH = '/socket.io/?EIO=4';
const connectFrame = (token: string) => `40${JSON.stringify({ token })}`;
const joinFrame = (channelId: string) => `421${JSON.stringify(['channel:join', { channelId }])}`;

/** Opens a WebSocket session, sends CONNECT with the token and a channel:join; answers pings while open. */
export async function openWebSocketSession(target: SessionTarget): Promise<FuzzSession> {
  const ws = new WebSocket(`${target.url.replace(/^http/, 'ws')}${ENGINE_PATH}&transport=websocket`);
  let open = false;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('websocket session did not open within 5 s')), OPEN_TIMEOUT_MS);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const text = isBinary ? '' : data.toString();
      if (text === '2') ws.send('3'); // Engine.IO ping: keep the session alive while we fuzz it
      if (text.startsWith('0') && !open) {
        open = true;
        ws.send(connectFrame(target.token));
        ws.send(joinFrame(target.channelId));
        clearTimeout(timer);
        resolve();
      }
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  ws.on('close', () => (open = false));
  ws.on('error', () => (open = false));
  return {
    transport: 'websocket',
    get open() {
      return open && ws.readyState === WebSocket.OPEN;
    },
    async send(frames) {
      for (const f of frames) {
        if (ws.readyState !== WebSocket.OPEN) return;
        ws.send(f.data, { binary: typeof f.data !== 'string' });
      }
      // Let the server read what it was sent before the next batch (and before a liveness check).
      await new Promise<void>((resolve) => (ws.bufferedAmount === 0 ? setImmediate(resolve) : setTimeout(resolve, 20)));
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

/** Opens a long-polling session, sends CONNECT and a channel:join; every batch is one POST, then a short GET drains what the server queued. */
export async function openPollingSession(target: SessionTarget): Promise<FuzzSession> {
  const base = `${target.url}${ENGINE_PATH}&transport=polling`;
  const res = await fetch(base, { signal: AbortSignal.timeout(OPEN_TIMEOUT_MS) });
  const body = await res.text();
  const sid = /"sid":"([^"]+)"/.exec(body)?.[1];
  if (!res.ok || !sid) throw new Error(`polling handshake answered ${res.status}: ${body.slice(0, 120)}`);
  const url = `${base}&sid=${encodeURIComponent(sid)}`;
  let open = true;
  const post = async (payload: string) => {
    const r = await fetch(url, { method: 'POST', body: payload, headers: { 'content-type': 'text/plain;charset=UTF-8' }, signal: AbortSignal.timeout(OPEN_TIMEOUT_MS) }).catch(() => undefined);
    await r?.text().catch(() => undefined);
    if (!r || r.status !== 200) open = false;
  };
  const drain = async () => {
    // A short poll: answers pings (the next POST carries the pong) and takes what the server queued.
    const r = await fetch(url, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
    const text = r ? await r.text().catch(() => '') : '';
    if (!r || r.status !== 200) open = false;
    return text.split('\u001e').includes('2');
  };
  await post(`${connectFrame(target.token)}\u001e${joinFrame(target.channelId)}`);
  return {
    transport: 'polling',
    get open() {
      return open;
    },
    async send(frames) {
      if (!open) return;
      await post(pollingPayload(frames));
      if (open && (await drain())) await post('3');
    },
    close() {
      if (open) void post('1');
      open = false;
    },
  };
}
