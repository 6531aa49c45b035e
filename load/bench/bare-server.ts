import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { HTTP_PATHS } from '../../spec/index.ts';

/**
 * The benchmark's baseline: a bare Socket.IO 4 server doing the same visible work as the reference server
 * for the bench workload, and nothing more. `channel:join` is `socket.join`; `message:send` assigns the
 * channel's next `seq` in memory, broadcasts `message:new` to the channel and acks in the spec's envelope
 * (`{ ok: true, data: message }`); `POST /admin/channels` and `GET /health/socket` answer just enough for
 * the harness to create its channels and see it up.
 *
 * What it deliberately leaves out, so the ratio measures what the hardening costs: no store (nothing is
 * durable, a restart forgets everything, no idempotency by clientMsgId), no token verification (the JWT's
 * `sub` is read without checking the signature), no payload validation or text normalisation/escaping
 * (`html` is the text as sent), no rate limits, no in-flight or slow-consumer bounds, no membership or
 * private channels, no logging, no metrics, no breakers, no graceful shutdown. Never expose it.
 */
export interface BareServer {
  port: number;
  close(): Promise<void>;
}

interface MessageSend {
  channelId?: unknown;
  text?: unknown;
  clientMsgId?: unknown;
}

/** The JWT's `sub`, read without verifying anything (the baseline accepts any token). */
function subjectOf(token: unknown): string {
  if (typeof token !== 'string') return 'anonymous';
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof payload.sub === 'string' ? payload.sub : 'anonymous';
  } catch {
    return 'anonymous';
  }
}

function answerHttp(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === HTTP_PATHS.health) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'healthy', checks: {} }));
    return;
  }
  if (req.method === 'POST' && path === HTTP_PATHS.adminChannels) {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      let id = 'general';
      try {
        const parsed = JSON.parse(body) as { id?: unknown };
        if (typeof parsed.id === 'string') id = parsed.id;
      } catch {
        /* the baseline does not validate */
      }
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ channel: { id, private: false, members: [] }, created: true }));
    });
    return;
  }
  // Socket.IO answers its own path; anything else is not here.
  if (!path?.startsWith('/socket.io')) res.writeHead(404).end();
}

export async function startBareServer(opts: { host: string; port: number }): Promise<BareServer> {
  const http = createServer(answerHttp);
  const io = new Server(http, { transports: ['websocket'], serveClient: false });
  const lastSeq = new Map<string, number>();
  io.on('connection', (socket) => {
    const userId = subjectOf(socket.handshake.auth?.token);
    socket.on('channel:join', (payload: { channelId?: unknown }, ack?: (a: unknown) => void) => {
      const channelId = String(payload?.channelId);
      void socket.join(channelId);
      ack?.({ ok: true, data: { channelId, private: false, lastSeq: lastSeq.get(channelId) ?? 0 } });
    });
    socket.on('message:send', (payload: MessageSend, ack?: (a: unknown) => void) => {
      const channelId = String(payload?.channelId);
      const seq = (lastSeq.get(channelId) ?? 0) + 1;
      lastSeq.set(channelId, seq);
      const text = String(payload?.text);
      const message = {
        id: randomUUID(),
        channelId,
        authorId: userId,
        authorName: userId,
        authorNameHtml: userId,
        text,
        html: text,
        attachments: [],
        clientMsgId: String(payload?.clientMsgId),
        createdAt: new Date().toISOString(),
        editedAt: null,
        seq,
      };
      io.to(channelId).emit('message:new', message);
      ack?.({ ok: true, data: message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, opts.host, resolve);
  });
  return {
    port: (http.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => io.close(() => resolve())),
  };
}

/** As a process (`sockproof bench bare-server`): honours HOST, PORT and SOCKPROOF_PORT_FILE like any target. */
export async function runBareServerProcess(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const server = await startBareServer({ host: env.HOST || '127.0.0.1', port: Number(env.PORT || 0) });
  if (env.SOCKPROOF_PORT_FILE) await writeFile(env.SOCKPROOF_PORT_FILE, `${server.port}\n`);
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: server.port })}\n`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void server.close().then(() => process.exit(0)));
}
