import { setTimeout as sleep } from 'node:timers/promises';
import { describeAck, type AckReading } from '../../ack.ts';
import { CheckInconclusive, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import type { WireConnection } from '../../wire/connection.ts';
import { breakers, dependencyControl, HALF_OPEN_SLACK_MS, requireHealthy, within } from '../outage.ts';
import { msgKey } from '../scene.ts';

const SETTLE_MS = 5_000;
/** The spec's default call timeout (CFG-3), when the harness did not set DEPENDENCY_TIMEOUT_MS. */
const DEFAULT_DEPENDENCY_TIMEOUT_MS = 3_000;
/**
 * How long after the trial send the other call is made: time for the target to read the trial and start
 * its store call, well inside the call timeout the trial then hangs for. Whichever of the two calls
 * becomes the trial, the other is the one refused while it is in flight (the check reads both).
 */
const TRIAL_HEAD_START_MS = 150;

interface Pending {
  label: string;
  startedAt: number;
  reading?: AckReading;
  answeredAt?: number;
  done: Promise<void>;
}

function start(ctx: CheckContext, label: string, conn: WireConnection, channelId: string, timeoutMs: number): Pending {
  const p: Pending = { label, startedAt: performance.now(), done: Promise.resolve() };
  p.done = ctx.call(conn, 'message:send', [{ channelId, text: label, clientMsgId: msgKey(ctx) }], timeoutMs).then((r) => {
    p.reading = r;
    p.answeredAt = performance.now();
  });
  return p;
}

export default defineCheck({
  id: 'C37',
  title: 'A call made while the half-open trial hangs on a stalled database is answered UNAVAILABLE at once, with retryAfterMs the call timeout, never 0',
  group: 'Error recovery',
  level: 'MUST',
  rules: ['BRK-4'],
  needs: ['dependency-control'],
  timeoutMs: 40_000,
  async run(ctx: CheckContext) {
    const deps = dependencyControl(ctx, 'postgres');
    const policy = ctx.spec.breakers;
    const callTimeoutMs = Number(deps.targetEnv.DEPENDENCY_TIMEOUT_MS ?? DEFAULT_DEPENDENCY_TIMEOUT_MS);
    const answerWithinMs = callTimeoutMs + SETTLE_MS;
    await requireHealthy(ctx, SETTLE_MS);
    const [trialUser, otherUser] = [await ctx.user('trial'), await ctx.user('other')];
    const channelId = await ctx.channel();
    const trialConn = await ctx.connectAs('trial sender', trialUser);
    const otherConn = await ctx.connectAs('other sender', otherUser);
    for (const c of [trialConn, otherConn]) await ctx.ok(c, 'channel:join', { channelId });
    await ctx.ok(trialConn, 'message:send', { channelId, text: 'before the stall', clientMsgId: msgKey(ctx) });

    // The database hangs rather than refuses: each send waits out the call timeout and counts as a failure.
    await deps.stall('postgres');
    ctx.recorder.note(`postgres stalled (timeout toxics): calls hang until the call timeout ${callTimeoutMs} ms`);
    try {
      // Sends in rounds no larger than the in-flight cap (RATE-8), each round waiting out the call timeout.
      const round = Math.max(1, Math.min(policy.failureThreshold, ctx.spec.limits.inFlightMax ?? policy.failureThreshold));
      const tripping: Pending[] = [];
      while (tripping.length < policy.failureThreshold && (await breakers(ctx)).store?.state !== 'open') {
        const batch = Array.from({ length: round }, (_, i) => start(ctx, `stalled ${tripping.length + i + 1}`, trialConn, channelId, answerWithinMs));
        tripping.push(...batch);
        await Promise.all(batch.map((p) => p.done));
      }
      const unavailable = tripping.filter((p) => p.reading?.kind === 'error' && p.reading.code === 'UNAVAILABLE').length;
      ctx.expect(unavailable === tripping.length, `the ${tripping.length} sends to the stalled database answered UNAVAILABLE`, [...new Set(tripping.map((p) => describeAck(p.reading!)))].join('; '));
      const open = await within(SETTLE_MS, async () => (await breakers(ctx)).store?.state === 'open');
      if (!open) throw new CheckInconclusive(`the store breaker did not open after ${tripping.length} timed-out sends (BRK-2 is C12's): no trial to observe`);
      // Only GET /status/circuit-breakers is read from here on: a health check reads the store through
      // its breaker and could itself become the trial.
      const halfOpen = await within(policy.resetTimeoutMs + HALF_OPEN_SLACK_MS, async () => (await breakers(ctx)).store?.state === 'halfOpen');
      if (!halfOpen) throw new CheckInconclusive(`the store breaker was not halfOpen within resetTimeoutMs ${policy.resetTimeoutMs} (+${HALF_OPEN_SLACK_MS}) ms (BRK-2 is C12's)`);
      ctx.recorder.note('store breaker halfOpen: the next store call is its trial, and it hangs');

      const trial = start(ctx, 'trial', trialConn, channelId, answerWithinMs);
      await sleep(TRIAL_HEAD_START_MS);
      const other = start(ctx, 'during the trial', otherConn, channelId, answerWithinMs);
      await Promise.race([trial.done, other.done]);
      const [first, second] = trial.answeredAt !== undefined && (other.answeredAt === undefined || trial.answeredAt < other.answeredAt) ? [trial, other] : [other, trial];
      const secondInFlight = second.answeredAt === undefined;
      await Promise.all([trial.done, other.done]);
      ctx.recorder.note(`answered first: "${first.label}" after ${Math.round(first.answeredAt! - first.startedAt)} ms; "${second.label}" after ${Math.round(second.answeredAt! - second.startedAt)} ms`);
      const seen = `"${first.label}" answered ${describeAck(first.reading!)} ${secondInFlight ? 'while' : 'after'} "${second.label}" ${secondInFlight ? 'still hung' : 'was answered'}`;
      // Both answered without a hang: another store call of the target's own was the trial; nothing to judge.
      if (!secondInFlight) throw new CheckInconclusive(`neither send was the half-open trial (${seen}): no call was observed during a trial`);
      ctx.recorder.note(seen);
      const r = first.reading!;
      ctx.expect(r.kind === 'error' && r.code === 'UNAVAILABLE', 'the call made during the trial is answered UNAVAILABLE, without waiting for the trial (BRK-4)', describeAck(r));
      const retry = r.kind === 'error' ? r.retryAfterMs : undefined;
      ctx.expect(retry !== undefined && retry > 0, 'its retryAfterMs is never 0 (BRK-4)', String(retry));
      ctx.expect(retry !== undefined && retry <= callTimeoutMs, `its retryAfterMs is at most the call timeout DEPENDENCY_TIMEOUT_MS ${callTimeoutMs} ms (by when the trial has ended, BRK-4)`, String(retry));
      const t = second.reading!;
      ctx.expect(t.kind === 'error' && t.code === 'UNAVAILABLE', 'the trial on the stalled database ends UNAVAILABLE (its call timed out)', describeAck(t));
      const after = (await breakers(ctx)).store?.state;
      ctx.expect(after === 'open', 'the failed trial opens the store breaker again (BRK-2)', String(after));
    } finally {
      await deps.heal('postgres');
      ctx.recorder.note('postgres healed (the stalled connections are closed)');
    }
    // The node comes back by itself (DEG-5): the breaker half-opens, a send is the trial and closes it.
    const back = await within(policy.resetTimeoutMs + HALF_OPEN_SLACK_MS + SETTLE_MS, async () => {
      const r = await ctx.call(otherConn, 'message:send', [{ channelId, text: 'after the heal', clientMsgId: msgKey(ctx) }], answerWithinMs);
      return r.kind === 'ok' ? r : undefined;
    });
    ctx.expect(back !== undefined, 'a send is acked ok again after the database returns', back ? 'ok' : 'still refused');
  },
});
