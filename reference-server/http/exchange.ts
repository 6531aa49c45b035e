import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../errors.ts';

/** Largest request body the admin endpoints read (HTTP-2). */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The rest of an oversized body is read and dropped, up to this, so that the client gets its 413
 * and the keep-alive connection stays usable (a socket closed with unread data in it resets); a
 * client that sends more than this is cut off.
 */
const DISCARD_MAX_BYTES = 8 * 1024 * 1024;

export class BodyTooLarge extends Error {}

/** What a route returns: JSON, or text for the Prometheus endpoint. */
export type Reply = { status: number; json: unknown } | { status: number; text: string; contentType: string };

export function sendReply(res: ServerResponse, reply: Reply): void {
  const body = 'json' in reply ? JSON.stringify(reply.json) : reply.text;
  res.writeHead(reply.status, {
    'content-type': 'json' in reply ? 'application/json; charset=utf-8' : reply.contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

export function errorReply(err: AppError): Reply {
  const status = { VALIDATION: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, RATE_LIMITED: 429, UNAVAILABLE: 503, INTERNAL: 500 }[err.code];
  return { status, json: { error: err.toBody() } };
}

/**
 * Reads a JSON body of at most MAX_BODY_BYTES; an empty body reads as `{}`. A larger one throws
 * BodyTooLarge at once (by its content-length when it states one) while the rest of it is
 * drained in the background (discardRest): breaking off the read would destroy the socket and
 * turn the 413 into a reset.
 */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  if (Number(req.headers['content-length']) > MAX_BODY_BYTES) {
    discardRest(req, 0);
    throw new BodyTooLarge();
  }
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      req.off('data', onData);
      discardRest(req, size);
      reject(new BodyTooLarge());
    };
    req.on('data', onData);
    req.once('end', resolve);
    req.once('error', reject);
  });
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new AppError('VALIDATION', 'body is not valid JSON');
  }
}

function discardRest(req: IncomingMessage, alreadyRead: number): void {
  let dropped = alreadyRead;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_MAX_BYTES) req.socket.destroy();
  });
  req.on('error', () => {});
  req.resume();
}
