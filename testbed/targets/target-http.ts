import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import {
  AdminChannelResponse,
  AdminLimitsResponse,
  HTTP_PATHS,
  relaxationPath,
  RelaxationEnded,
  RelaxationResponse,
  SpecDocument,
  type PartialRateLimitTable,
  type RelaxationRequest,
} from '../../spec/index.ts';
import type { TokenSource } from './token-source.ts';

/** A target that cannot be reached or refuses the harness: reported as one line, exit 2. */
export class TargetUnavailableError extends Error {
  override name = 'TargetUnavailableError';
}

export interface TargetAccess {
  url: string;
  /** Where the run's tokens come from (users, history reader, the runner's admin token): never a secret itself. */
  tokens: TokenSource;
  /**
   * Relaxes the limits for these users of the run, before they connect (FIX-4, a runner attached to a
   * --target); absent where the runner owns the target and its limits.
   */
  admit?: (userIds: readonly string[]) => Promise<void>;
}

/** Why a fetch failed, in a few words (ECONNREFUSED, timeout, DNS...). */
export function fetchFailure(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'no answer (timed out)';
  if (e?.cause?.code) return `${e.cause.code}${e.cause.code === 'ECONNREFUSED' ? ' (nothing listening)' : ''}`;
  return e?.cause?.message ?? e?.message ?? String(err);
}

/** GET /health/socket; throws TargetUnavailableError with one clear line when the target does not answer. */
export async function probeHealth(url: string, timeoutMs = 5_000): Promise<number> {
  try {
    const res = await fetch(url + HTTP_PATHS.health, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status;
  } catch (err) {
    throw new TargetUnavailableError(`target ${url} is not reachable: ${fetchFailure(err)}`);
  }
}

/** Polls health until it answers 200 (serving again after a restart); resolves with when, or undefined at the deadline. */
export async function waitServing(url: string, deadlineMs: number, pollMs = 50): Promise<number | undefined> {
  while (performance.now() < deadlineMs) {
    try {
      const res = await fetch(url + HTTP_PATHS.health, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now();
    } catch {
      /* not yet */
    }
    await sleep(pollMs);
  }
  return undefined;
}

async function adminCall<T extends z.ZodType>(target: TargetAccess, method: string, path: string, body: unknown, schema: T): Promise<z.output<T>>;
async function adminCall<T extends z.ZodType>(target: TargetAccess, method: string, path: string, body: unknown, schema: T, opts: { notFound: 'undefined' }): Promise<z.output<T> | undefined>;
async function adminCall<T extends z.ZodType>(target: TargetAccess, method: string, path: string, body: unknown, schema: T, opts?: { notFound: 'undefined' }): Promise<z.output<T> | undefined> {
  const token = await target.tokens.admin();
  let res: Response;
  try {
    res = await fetch(target.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new TargetUnavailableError(`${method} ${path} on ${target.url} failed: ${fetchFailure(err)}`);
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403) {
    throw new TargetUnavailableError(`${method} ${path} answered ${res.status}: the target refused the runner's admin token (${target.tokens.describe})`);
  }
  if (res.status === 404 && opts?.notFound === 'undefined') return undefined;
  if (res.status < 200 || res.status > 299) throw new TargetUnavailableError(`${method} ${path} answered ${res.status}: ${text.slice(0, 200)}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TargetUnavailableError(`${method} ${path} answered ${res.status} with a body that is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new TargetUnavailableError(`${method} ${path} answered a body that does not fit the spec: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** FIX-1: a fresh public channel for one run. */
export async function createRunChannel(target: TargetAccess, id: string): Promise<void> {
  await adminCall(target, 'POST', HTTP_PATHS.adminChannels, { id, private: false, members: [] }, AdminChannelResponse);
}

/** FIX-2: raises limits for the run's own traffic, on a server the runner started (every user of it is the run's). */
export async function relaxLimits(target: TargetAccess, limits: PartialRateLimitTable): Promise<void> {
  await adminCall(target, 'PUT', HTTP_PATHS.adminLimits, limits, AdminLimitsResponse);
}

/** GET /spec: what the target offers (FIX-3 fixtures, FIX-4 relaxations); one clear line when it does not answer it. */
export async function readSpecDocument(url: string): Promise<SpecDocument> {
  let res: Response;
  try {
    res = await fetch(url + HTTP_PATHS.spec, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new TargetUnavailableError(`GET ${HTTP_PATHS.spec} on ${url} failed: ${fetchFailure(err)}`);
  }
  const parsed = SpecDocument.safeParse(await res.json().catch(() => undefined));
  if (res.status !== 200 || !parsed.success) throw new TargetUnavailableError(`GET ${HTTP_PATHS.spec} on ${url} answered ${res.status} without a spec document`);
  return parsed.data;
}

/** FIX-4: creates or renews the run's relaxation. */
export async function putRelaxation(target: TargetAccess, id: string, body: RelaxationRequest): Promise<RelaxationResponse> {
  return adminCall(target, 'PUT', relaxationPath(id), body, RelaxationResponse);
}

/** FIX-4: ends it; false when it had already ended (expired). */
export async function deleteRelaxation(target: TargetAccess, id: string): Promise<boolean> {
  return (await adminCall(target, 'DELETE', relaxationPath(id), undefined, RelaxationEnded, { notFound: 'undefined' })) !== undefined;
}
