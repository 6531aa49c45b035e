import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../errors.ts';

/** Largest request body the admin endpoints read (HTTP-2). */
export const MAX_BODY_BYTES = 64 * 1024;

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

/** Reads a JSON body of at most MAX_BODY_BYTES; an empty body reads as `{}`. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new AppError('VALIDATION', 'body is not valid JSON');
  }
}
