import { HTTP_PATHS } from '../../../http.ts';
import { describeAck, type AckReading } from '../../ack.ts';
import { CheckInconclusive, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import type { WireConnection } from '../../wire/connection.ts';
import { breakers, dependencyControl, HALF_OPEN_SLACK_MS, health, nodeHttp, requireHealthy, within } from '../outage.ts';

const SETTLE_MS = 5_000;
/** A limit small enough to reach, with a window longer than the check. */
const POINTS = 4;
const LIMIT = { 'presence:update': { points: POINTS, durationMs: 60_000 } };
/** The spec's default call timeout (CFG-3), when the harness did not set DEPENDENCY_TIMEOUT_MS. */
const DEFAULT_DEPENDENCY_TIMEOUT_MS = 3_000;

/** What a call's answer was, in one word: ok, the error code, or how it went wrong. */
function word(r: AckReading): string {
  return r.kind === 'ok' ? 'ok' : r.kind === 'error' ? r.code : describeAck(r);
}

export default defineCheck({
  id: 'C38',
  title: 'Rate limits hold while Redis is unreachable: on each node a user is RATE_LIMITED at N+1, counted alone',
  group: 'Error recovery',
  level: 'MUST',
  rules: ['DEG-3', 'RATE-1'],
  needs: ['dependency-control'],
  timeoutMs: 40_000,
  async run(ctx: CheckContext) {
    const deps = dependencyControl(ctx, 'redis');
    const callTimeoutMs = Number(deps.targetEnv.DEPENDENCY_TIMEOUT_MS ?? DEFAULT_DEPENDENCY_TIMEOUT_MS);
    // Each node counts alone: every node of the run is driven to N+1 on its own.
    const nodes: Array<{ url: string | undefined; label: string }> = [{ url: undefined, label: 'node 1' }, ...ctx.capabilities.peers.slice(0, 1).map((url) => ({ url, label: 'node 2' }))];
    for (const n of nodes) await requireHealthy(ctx, SETTLE_MS, n.url);
    const user = await ctx.user('limited');
    // Connected before the cut: only the calls are counted with Redis down.
    const conns: WireConnection[] = [];
    for (const n of nodes) conns.push(await ctx.connectAs(`limited (${n.label})`, user, n.url ? { url: n.url } : {}));
    for (const n of nodes) {
      const res = await nodeHttp(ctx, n.url).send({ method: 'PUT', path: HTTP_PATHS.adminLimits, token: ctx.adminToken, body: LIMIT });
      if (res.status !== 200) throw new CheckInconclusive(`fixture PUT ${HTTP_PATHS.adminLimits} on ${n.label} answered ${res.status}`);
    }
    try {
      await deps.cut('redis');
      ctx.recorder.note('redis cut');
      for (const n of nodes) {
        const down = await within(SETTLE_MS, async () => (await health(ctx, n.url)).body.checks.redis?.status === 'down');
        if (!down) throw new CheckInconclusive(`${n.label}'s health did not say checks.redis down within ${SETTLE_MS} ms of the cut`);
      }
      for (const [i, n] of nodes.entries()) {
        const seen: AckReading[] = [];
        for (let call = 1; call <= POINTS + 1; call++) seen.push(await ctx.call(conns[i]!, 'presence:update', [{ status: call % 2 ? 'away' : 'online' }], callTimeoutMs + SETTLE_MS));
        const want = [...Array<string>(POINTS).fill('ok'), 'RATE_LIMITED'];
        ctx.expect(
          JSON.stringify(seen.map(word)) === JSON.stringify(want),
          `with Redis down, on ${n.label}: ${POINTS} presence:update calls (limit ${POINTS} per 60 s) pass and call ${POINTS + 1} is RATE_LIMITED (DEG-3: counted alone, by an insurance limiter of the same rule)`,
          seen.map(word).join(','),
        );
        const last = seen.at(-1)!;
        if (last.kind === 'error' && last.code === 'RATE_LIMITED') ctx.expect((last.retryAfterMs ?? 0) > 0, `the refusal on ${n.label} carries retryAfterMs > 0 (RATE-1)`, String(last.retryAfterMs));
      }
    } finally {
      await deps.heal('redis');
      ctx.recorder.note('redis healed');
      for (const n of nodes) {
        const res = await nodeHttp(ctx, n.url).send({ method: 'PUT', path: HTTP_PATHS.adminLimits, token: ctx.adminToken, body: ctx.harnessLimits });
        if (res.status !== 200) ctx.recorder.note(`restoring the relaxed limits on ${n.label} answered ${res.status}`);
      }
    }
    // Back to shared counts before the next check: Redis up on every node, and a breaker around it closed
    // again by a call that reached it (one that is still open counts alone, as above).
    for (const [i, n] of nodes.entries()) {
      const back = await within(SETTLE_MS * 2, async () => (await health(ctx, n.url)).body.checks.redis?.status === 'up');
      ctx.expect(back === true, `${n.label}: health says checks.redis up again after the heal`, back ? 'up' : 'not up');
      const closed = await within(ctx.spec.breakers.resetTimeoutMs + HALF_OPEN_SLACK_MS + SETTLE_MS, async () => {
        await ctx.call(conns[i]!, 'presence:update', [{ status: 'online' }], callTimeoutMs + SETTLE_MS);
        const state = (await breakers(ctx, n.url)).redis?.state;
        return state === undefined || state === 'closed' ? state ?? 'no redis breaker' : undefined;
      });
      ctx.expect(closed !== undefined, `${n.label}: its redis breaker closed again after the heal (calls counted in Redis again)`, closed ?? `${(await breakers(ctx, n.url)).redis?.state}`);
    }
  },
});
