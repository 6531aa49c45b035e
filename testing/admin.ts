import type { z } from 'zod';
import { mintToken, type AdminChannelRequest, type PartialRateLimitTable } from '../spec/index.ts';

/** Admin HTTP calls against a running server (FIX-1, FIX-2). */
export async function adminRequest(
  server: { url: string; secret: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const token = await mintToken(server.secret, { sub: 'test-admin', roles: ['admin'] });
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

export async function createChannel(server: { url: string; secret: string }, channel: Partial<AdminChannelRequest> & { id: string }): Promise<void> {
  const res = await adminRequest(server, 'POST', '/admin/channels', channel);
  if (res.status !== 201 && res.status !== 200) throw new Error(`channel fixture failed: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function setLimits(server: { url: string; secret: string }, limits: PartialRateLimitTable): Promise<void> {
  const res = await adminRequest(server, 'PUT', '/admin/limits', limits);
  if (res.status !== 200) throw new Error(`limits fixture failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** GETs a JSON endpoint and validates the body with the spec's schema for it. */
export async function getJson<T extends z.ZodType>(url: string, schema: T): Promise<{ status: number; body: z.output<T> }> {
  const res = await fetch(url);
  return { status: res.status, body: schema.parse(await res.json()) };
}
