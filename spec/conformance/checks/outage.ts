import { setTimeout as sleep } from 'node:timers/promises';
import { BreakersResponse, HealthResponse, HTTP_PATHS, SocketMetrics, type BreakerStatus } from '../../http.ts';
import { CheckInconclusive, CheckUnimplemented } from '../check.ts';
import type { CheckContext } from '../context.ts';
import type { DependencyControl, DependencyName } from '../dependencies.ts';
import { HttpProbe } from '../http.ts';

/** The dependency control of this run, when it covers `names`; else the check is unimplemented. */
export function dependencyControl(ctx: CheckContext, ...names: DependencyName[]): DependencyControl {
  const deps = ctx.capabilities.dependencies;
  const missing = names.filter((n) => !deps?.names.includes(n));
  if (!deps || missing.length > 0) throw new CheckUnimplemented(`needs the harness to control ${missing.join(', ')} (--deps)`);
  return deps;
}

/** An HTTP probe on a node (the target when url is absent), recording into the check's evidence. */
export function nodeHttp(ctx: CheckContext, url?: string): HttpProbe {
  return url ? new HttpProbe(url, ctx.recorder) : ctx.http;
}

export async function health(ctx: CheckContext, url?: string): Promise<{ status: number; body: HealthResponse }> {
  const res = await nodeHttp(ctx, url).get(HTTP_PATHS.health);
  const parsed = HealthResponse.safeParse(res.body);
  if (!parsed.success) throw new CheckInconclusive(`GET ${HTTP_PATHS.health} answered ${res.status} without HealthResponse`);
  return { status: res.status, body: parsed.data };
}

export async function breakers(ctx: CheckContext, url?: string): Promise<Record<string, BreakerStatus>> {
  const res = await nodeHttp(ctx, url).get(HTTP_PATHS.breakers);
  const parsed = BreakersResponse.safeParse(res.body);
  if (res.status !== 200 || !parsed.success) throw new CheckInconclusive(`GET ${HTTP_PATHS.breakers} answered ${res.status} without BreakersResponse`);
  return parsed.data.breakers;
}

export async function nodeMetrics(ctx: CheckContext, url?: string): Promise<SocketMetrics> {
  if (!url) return ctx.metrics();
  const res = await nodeHttp(ctx, url).get(HTTP_PATHS.socketMetrics);
  const parsed = SocketMetrics.safeParse(res.body);
  if (res.status !== 200 || !parsed.success) throw new CheckInconclusive(`GET ${url}${HTTP_PATHS.socketMetrics} answered ${res.status} without SocketMetrics`);
  return parsed.data;
}

/** Polls `probe` every 100 ms until it gives a truthy value; undefined after timeoutMs. */
export async function within<T>(timeoutMs: number, probe: () => Promise<T>): Promise<T | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (performance.now() > deadline) return undefined;
    await sleep(100);
  }
}

/** Before and after an outage the node must be healthy again on its own (DEG-5); a check that cannot get there is inconclusive. */
export async function requireHealthy(ctx: CheckContext, timeoutMs: number, url?: string): Promise<void> {
  const ok = await within(timeoutMs, async () => (await health(ctx, url)).body.status === 'healthy');
  if (!ok) throw new CheckInconclusive(`the node${url ? ` ${url}` : ''} was not healthy within ${timeoutMs} ms before the outage`);
}

/** The published time until a breaker half-opens, with the harness's scheduling slack. */
export const HALF_OPEN_SLACK_MS = 2_000;
