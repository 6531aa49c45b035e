import { setTimeout as sleep } from 'node:timers/promises';
import { describeAck } from '../../ack.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { HTTP_PATHS, RecoveryResponse } from '../../../http.ts';
import type { WireConnection } from '../../wire/connection.ts';
import { breakers, dependencyControl, HALF_OPEN_SLACK_MS, health, nodeMetrics, requireHealthy, within } from '../outage.ts';
import { msgKey } from '../scene.ts';
import { jitterShare, thinning, waves } from './reconnect-attempts.ts';

const SETTLE_MS = 5_000;
/** Reconnect backoff cap the harness gives a target it starts with --deps; the spec's default otherwise. */
const DEFAULT_RECONNECT_MAX_MS = 30_000;
/** How long Redis turns connections away: with the harness's timings (min 100, max 800 ms) six waves of attempts. */
const REDIS_OUTAGE_MS = 3_500;
/** The longest REDIS_RECONNECT_MAX_MS whose backoff the outage shows: its attempts must span twice the max. */
const JUDGED_MAX_MS = 1_000;
/** The first span of max must hold this many times the attempts of the last (the reference: about 3). */
const THINNING_RATIO = 1.5;
/**
 * The waits below the max must take this share of the jitter DEG-6 allows, on average: uniform jitter takes
 * about 0.5 (four connections: under 0.15 less than once in 2 000 model runs, test/reconnect-attempts.test.ts);
 * lockstep (`reconnect-without-jitter`) about 0, give or take timing noise.
 */
const JITTER_SHARE_MIN = 0.15;
/** Fewer connections cut together than this and their mean wait is too much one draw to judge jitter by. */
const JITTER_CONNECTIONS_MIN = 3;

const now = (): number => performance.timeOrigin + performance.now();

/** DEG-6's backoff and jitter, from the times the proxy accepted the node's reconnect attempts (reconnect-attempts.ts). */
function judgeBackoff(ctx: CheckContext, attempts: number[] | undefined, env: Record<string, string>): void {
  const minMs = Number(env.REDIS_RECONNECT_MIN_MS);
  const maxMs = Number(env.REDIS_RECONNECT_MAX_MS);
  if (attempts === undefined) return ctx.recorder.note('DEG-6 backoff and jitter not observed: the fault proxy does not list the connections it accepted (a real Toxiproxy)');
  if (!(minMs > 0 && maxMs > 0 && maxMs <= JUDGED_MAX_MS)) {
    return ctx.recorder.note(`DEG-6 backoff and jitter not observed: REDIS_RECONNECT_MIN_MS/MAX_MS not set by the harness, or a max above ${JUDGED_MAX_MS} ms, which a ${REDIS_OUTAGE_MS} ms outage cannot show`);
  }
  const first = attempts[0] ?? 0;
  ctx.recorder.note(`redis reconnect attempts (ms after the first): ${attempts.map((at) => Math.round(at - first)).join(', ')}`);
  const spans = thinning(attempts, maxMs);
  ctx.expect(spans !== undefined, `reconnect attempts through a ${REDIS_OUTAGE_MS} ms Redis outage span 2 × REDIS_RECONNECT_MAX_MS ${maxMs} ms or more (DEG-6)`, `${attempts.length} attempts over ${Math.round((attempts.at(-1) ?? first) - first)} ms`);
  if (spans) {
    ctx.expect(
      spans.early >= THINNING_RATIO * spans.late,
      `reconnect attempts thin out: the first REDIS_RECONNECT_MAX_MS after the first attempt holds ${THINNING_RATIO}× the attempts of the last (exponential backoff, DEG-6)`,
      `${spans.early} first, ${spans.late} last`,
    );
  }
  const groups = waves(attempts, minMs);
  const shape = groups.map((w) => `${w.length} over ${Math.round(w.at(-1)! - w[0]!)} ms`).join(', ');
  if ((groups[0]?.length ?? 0) < JITTER_CONNECTIONS_MIN) {
    return ctx.recorder.note(`DEG-6 jitter not judged: ${groups[0]?.length ?? 0} Redis connection(s) reconnected (waves of ${shape}); one or two connections' waits alone cannot tell jitter from timing noise`);
  }
  const reading = jitterShare(groups, minMs, maxMs);
  ctx.expect(
    reading !== undefined && reading.share >= JITTER_SHARE_MIN,
    `the waits below REDIS_RECONNECT_MAX_MS take ${JITTER_SHARE_MIN * 100} % or more of the jitter allowed (20 % of each step), on average over connections and waits, less the overhead seen at the max (jitter, DEG-6)`,
    reading ? `${Math.round(reading.share * 100)} % (overhead ${Math.round(reading.overheadMs)} ms an attempt); waves of ${shape}` : `no waves of one attempt per connection each: ${shape}`,
  );
}

/** Sends until the store breaker opens; returns the breaker states seen after each refused send. */
async function driveStoreBreakerOpen(ctx: CheckContext, conn: WireConnection, channelId: string, threshold: number): Promise<string[]> {
  const states: string[] = [];
  for (let i = 1; i <= threshold; i++) {
    const r = await ctx.call(conn, 'message:send', [{ channelId, text: `outage ${i}`, clientMsgId: msgKey(ctx) }]);
    ctx.expect(r.kind === 'error' && r.code === 'UNAVAILABLE', `send ${i} with the database cut answered UNAVAILABLE`, describeAck(r));
    states.push((await breakers(ctx)).store?.state ?? 'absent');
  }
  return states;
}

export default defineCheck({
  id: 'C12',
  title: 'Reconnect behaviour after a dependency outage (breaker opens, half-opens, closes; Redis reconnects counted)',
  group: 'Error recovery',
  level: 'MUST',
  rules: ['BRK-2', 'BRK-5', 'DEG-5', 'DEG-6', 'DEG-7', 'CFG-3'],
  needs: ['dependency-control'],
  timeoutMs: 90_000,
  async run(ctx: CheckContext) {
    const deps = dependencyControl(ctx, 'postgres');
    const policy = ctx.spec.breakers;
    const threshold = policy.failureThreshold;
    await requireHealthy(ctx, SETTLE_MS);
    const user = await ctx.user('writer');
    const channelId = await ctx.channel();
    const conn = await ctx.connectAs('writer', user);
    await ctx.ok(conn, 'channel:join', { channelId });
    await ctx.ok(conn, 'message:send', { channelId, text: 'before the outage', clientMsgId: msgKey(ctx) });
    const names = Object.keys(await breakers(ctx));
    ctx.expect(names.includes('store'), 'a breaker named store (DEG-7)', names.join(', '));
    if (ctx.spec.features.multiNode) ctx.expect(names.includes('redis'), 'a multi-node target has a breaker named redis (DEG-7)', names.join(', '));
    // The figures of an earlier outage settle first (the node probes its dependencies on its own schedule).
    const before = (await within(SETTLE_MS, async () => {
      const m = await nodeMetrics(ctx);
      return m.dependencies?.store?.up !== false ? m : undefined;
    })) ?? (await nodeMetrics(ctx));
    const tripsBefore = (await breakers(ctx)).store?.trips ?? 0;

    // BRK-2: opens on the threshold-th failure within the window, not before.
    await deps.cut('postgres');
    ctx.recorder.note('postgres cut');
    // Failures still in the window from earlier outages count towards the threshold.
    const earlier = (await breakers(ctx)).store?.failures ?? 0;
    const states = await driveStoreBreakerOpen(ctx, conn, channelId, threshold - earlier);
    const want = states.map((_, i) => (earlier + i + 1 < threshold ? 'closed' : 'open'));
    ctx.expect(JSON.stringify(states) === JSON.stringify(want), `store breaker after each failure: ${want.join(',')} (failureThreshold ${threshold}, ${earlier} failures already in the window)`, states.join(','));
    const open = (await breakers(ctx)).store!;
    ctx.expect(open.trips === tripsBefore + 1, 'store breaker trips +1', `${tripsBefore} -> ${open.trips}`);
    if (ctx.spec.features.multiNode) {
      const redisState = (await breakers(ctx)).redis?.state;
      ctx.expect(redisState === 'closed', 'a database outage leaves the redis breaker closed (DEG-7)', String(redisState));
    }
    // DEG-5: emergency mode is visible.
    const during = await within(SETTLE_MS, async () => {
      const m = await nodeMetrics(ctx);
      return m.dependencies?.store?.up === false && m.dependencies.store.outages > (before.dependencies?.store?.outages ?? 0) ? m : undefined;
    });
    ctx.expect(during !== undefined, `/metrics/socket dependencies.store.up false with outages +1 within ${SETTLE_MS} ms (DEG-5)`, during ? 'down' : JSON.stringify((await nodeMetrics(ctx)).dependencies ?? 'absent'));
    if (during) {
      ctx.expect(during.dependencies!.store!.outages === (before.dependencies?.store?.outages ?? 0) + 1, 'dependencies.store.outages +1', `${before.dependencies?.store?.outages} -> ${during.dependencies!.store!.outages}`);
      ctx.expect(during.circuitBreakerTrips === before.circuitBreakerTrips + 1, 'circuitBreakerTrips +1 (DEG-5, BRK-2)', `${before.circuitBreakerTrips} -> ${during.circuitBreakerTrips}`);
    }
    const h = await health(ctx);
    ctx.expect(h.body.checks.store?.status === 'down', 'health checks.store down while cut (DEG-5)', JSON.stringify(h.body.checks));

    // BRK-2: half-open after resetTimeoutMs, closes on the trial's success; the node recovers by itself (DEG-5).
    await deps.heal('postgres');
    ctx.recorder.note('postgres healed');
    const halfOpen = await within(policy.resetTimeoutMs + HALF_OPEN_SLACK_MS, async () => {
      const b = (await breakers(ctx)).store!;
      return b.state === 'halfOpen' ? b : undefined;
    });
    ctx.require(halfOpen !== undefined, `store breaker halfOpen within resetTimeoutMs ${policy.resetTimeoutMs} (+${HALF_OPEN_SLACK_MS}) ms`, (await breakers(ctx)).store!.state);
    const openFor = Date.parse(halfOpen.since) - Date.parse(open.since);
    ctx.expect(openFor >= policy.resetTimeoutMs - 50, `open for at least resetTimeoutMs ${policy.resetTimeoutMs} ms before halfOpen`, `${openFor} ms`);
    const trial = await ctx.call(conn, 'message:send', [{ channelId, text: 'trial', clientMsgId: msgKey(ctx) }]);
    ctx.expect(trial.kind === 'ok', 'the half-open trial send succeeds', describeAck(trial));
    const closed = (await breakers(ctx)).store!;
    ctx.expect(closed.state === 'closed', 'store breaker closed after the successful trial', closed.state);
    const healthy = await within(SETTLE_MS, async () => (await health(ctx)).body.status === 'healthy');
    ctx.expect(healthy === true, 'healthy again with no restart and no operator action (DEG-5)', healthy ? 'healthy' : 'not healthy');
    const after = await nodeMetrics(ctx);
    ctx.expect(after.dependencies?.store?.up === true, 'dependencies.store.up true again', JSON.stringify(after.dependencies?.store));

    // BRK-5: the recovery endpoint closes an open breaker at once.
    await deps.cut('postgres');
    await driveStoreBreakerOpen(ctx, conn, channelId, threshold - ((await breakers(ctx)).store?.failures ?? 0));
    ctx.require((await breakers(ctx)).store?.state === 'open', 'store breaker open again', (await breakers(ctx)).store?.state ?? 'absent');
    await deps.heal('postgres');
    const rec = await ctx.http.send({ method: 'POST', path: HTTP_PATHS.recovery, token: ctx.adminToken });
    const parsed = RecoveryResponse.safeParse(rec.body);
    ctx.expect(rec.status === 200 && parsed.success && parsed.data.breakers.store?.state === 'closed', 'POST /admin/socket/recovery answers RecoveryResponse with the store breaker closed (BRK-5)', `${rec.status} ${rec.text.slice(0, 200)}`);
    const right = await ctx.call(conn, 'message:send', [{ channelId, text: 'after recovery', clientMsgId: msgKey(ctx) }]);
    ctx.expect(right.kind === 'ok', 'a send right after the recovery endpoint succeeds', describeAck(right));

    if (!deps.names.includes('redis')) {
      ctx.recorder.note('Redis is not controlled in this run (--deps without redis): DEG-6 not exercised');
      return;
    }
    // DEG-6: Redis reconnects by itself, within the backoff cap, counted once.
    await requireHealthy(ctx, SETTLE_MS);
    const redisBefore = (await within(SETTLE_MS, async () => {
      const m = await nodeMetrics(ctx);
      return m.dependencies?.redis?.up !== false ? m : undefined;
    })) ?? (await nodeMetrics(ctx));
    // Turned away rather than cut: the listener stays open, so every reconnect attempt reaches the proxy.
    const cutAt = now();
    await deps.turnAway('redis');
    ctx.recorder.note('redis cut (connections turned away)');
    const down = await within(SETTLE_MS, async () => (await health(ctx)).body.checks.redis?.status === 'down');
    ctx.expect(down === true, 'health checks.redis down while Redis is cut', down ? 'down' : 'not down');
    await sleep(Math.max(0, cutAt + REDIS_OUTAGE_MS - now())); // several failed attempts, so the backoff grows
    const attempts = await deps.acceptedSince('redis', cutAt);
    await deps.heal('redis');
    const healedAt = performance.now();
    const capMs = Number(deps.targetEnv.REDIS_RECONNECT_MAX_MS ?? DEFAULT_RECONNECT_MAX_MS);
    const bound = Math.round(capMs * 1.2) + SETTLE_MS;
    const back = await within(bound, async () => {
      const m = await nodeMetrics(ctx);
      return m.redisReconnects > redisBefore.redisReconnects && m.dependencies?.redis?.up === true ? m : undefined;
    });
    ctx.expect(back !== undefined, `Redis reconnected within REDIS_RECONNECT_MAX_MS ${capMs} ms +20 % (+${SETTLE_MS} ms) of the heal`, back ? `${Math.round(performance.now() - healedAt)} ms` : 'not reconnected');
    await sleep(1_000);
    const settled = await nodeMetrics(ctx);
    ctx.expect(settled.redisReconnects === redisBefore.redisReconnects + 1, 'redisReconnects +1 for the one re-established connection (DEG-6)', `${redisBefore.redisReconnects} -> ${settled.redisReconnects}`);
    ctx.expect(settled.dependencies?.redis?.outages === (redisBefore.dependencies?.redis?.outages ?? 0) + 1, 'dependencies.redis.outages +1 (DEG-5)', JSON.stringify(settled.dependencies?.redis));
    judgeBackoff(ctx, attempts, deps.targetEnv);
  },
});
