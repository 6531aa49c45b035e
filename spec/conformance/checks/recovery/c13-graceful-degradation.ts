import type { Message } from '../../../events.ts';
import { describeAck } from '../../ack.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { breakers, dependencyControl, HALF_OPEN_SLACK_MS, health, requireHealthy, within } from '../outage.ts';
import { msgKey } from '../scene.ts';
import { lostOrChanged, readHistory } from './history.ts';
import { expectedHealth } from '../architecture/c08-health-dependencies.ts';

const SETTLE_MS = 5_000;
/** ACK-7: an operation waiting on a dependency answers within 5 s rather than hang. */
const ACK_WITHIN_MS = 5_000;
/** BRK-4: "at once" while the breaker is open. */
const AT_ONCE_MS = 500;

export default defineCheck({
  id: 'C13',
  title: 'Graceful degradation: with a dependency down, connections are accepted and answers are UNAVAILABLE, not hangs',
  group: 'Error recovery',
  level: 'MUST',
  rules: ['BRK-4', 'ACK-7', 'HLTH-2', 'DEG-3'],
  needs: ['dependency-control'],
  timeoutMs: 90_000,
  async run(ctx: CheckContext) {
    const deps = dependencyControl(ctx, 'postgres');
    const policy = ctx.spec.breakers;
    await requireHealthy(ctx, SETTLE_MS);
    const user = await ctx.user('writer');
    const channelId = await ctx.channel();
    const conn = await ctx.connectAs('writer', user);
    await ctx.ok(conn, 'channel:join', { channelId });
    const acked: Message[] = [];
    for (let i = 0; i < 2; i++) acked.push(await ctx.ok(conn, 'message:send', { channelId, text: `before ${i}`, clientMsgId: msgKey(ctx) }));

    const second = await ctx.connectAs('writer#2', user);
    await ctx.ok(second, 'channel:join', { channelId });

    await deps.cut('postgres');
    ctx.recorder.note('postgres cut');
    // A known user still connects (its ban look-up is remembered, DEG-4), and is answered, not left hanging.
    await ctx.connectAs('writer#3 (database down)', user);
    const refused: Array<{ channelId: string; text: string; clientMsgId: string }> = [];
    for (let i = 1; i <= policy.failureThreshold + 2; i++) {
      const payload = { channelId, text: `during ${i}`, clientMsgId: msgKey(ctx) };
      const wasOpen = (await breakers(ctx)).store?.state === 'open';
      const started = performance.now();
      const r = await ctx.call(i % 2 ? conn : second, 'message:send', [payload], ACK_WITHIN_MS + 1_000);
      const took = Math.round(performance.now() - started);
      ctx.expect(took <= ACK_WITHIN_MS, `send ${i} answered within ${ACK_WITHIN_MS} ms (ACK-7)`, `${took} ms`);
      if (r.kind === 'ok') {
        // DEG-3 allows no ok unless durable: the history after the heal decides.
        acked.push(r.data as Message);
        ctx.recorder.note(`send ${i} acked ok with the database cut: it must be in history afterwards`);
        continue;
      }
      ctx.expect(r.kind === 'error' && r.code === 'UNAVAILABLE' && (r.retryAfterMs ?? 0) > 0, `send ${i} answered UNAVAILABLE with retryAfterMs > 0 (DEG-3)`, describeAck(r));
      if (wasOpen) {
        ctx.expect(took <= AT_ONCE_MS, `with the store breaker open, answered at once (<= ${AT_ONCE_MS} ms, BRK-4)`, `${took} ms`);
        ctx.expect(r.kind === 'error' && (r.retryAfterMs ?? 0) <= policy.resetTimeoutMs, `retryAfterMs at most the time until half-open (${policy.resetTimeoutMs} ms, BRK-4)`, describeAck(r));
      }
      refused.push(payload);
    }
    ctx.expect((await breakers(ctx)).store?.state === 'open', 'store breaker open after the refused sends', (await breakers(ctx)).store?.state ?? 'absent');
    const h = await health(ctx);
    const want = expectedHealth(h.body.checks, ctx.spec.features.durableStore);
    ctx.expect(h.body.checks.store?.status === 'down' && h.body.status === want && h.status === (want === 'unhealthy' ? 503 : 200), `health ${want} (${want === 'unhealthy' ? 503 : 200}) with checks.store down (HLTH-2)`, `${h.status} ${JSON.stringify(h.body)}`);

    await deps.heal('postgres');
    ctx.recorder.note('postgres healed');
    const ready = await within(policy.resetTimeoutMs + HALF_OPEN_SLACK_MS, async () => (await breakers(ctx)).store?.state !== 'open');
    ctx.require(ready === true, `store breaker leaves open within resetTimeoutMs ${policy.resetTimeoutMs} (+${HALF_OPEN_SLACK_MS}) ms`, 'still open');
    // DUR-2 / DEG-3: every refused send, retried with its clientMsgId, lands exactly once; a second retry changes nothing.
    for (const payload of refused) {
      const first = await ctx.ok(conn, 'message:send', payload, `retry of ${payload.clientMsgId}`);
      const again = await ctx.ok(second, 'message:send', payload, `second retry of ${payload.clientMsgId}`);
      ctx.expect(first.id === again.id && first.seq === again.seq, 'a repeated retry returns the same message', `${first.id}/${first.seq} vs ${again.id}/${again.seq}`);
      acked.push(first);
    }
    const history = await readHistory(ctx, conn, channelId);
    const problems = lostOrChanged(acked, history);
    ctx.expect(problems.length === 0, `all ${acked.length} ok-acked messages (before, during and retried) in history exactly once`, problems.join('; ') || 'all there');
    const back = await within(SETTLE_MS, async () => (await health(ctx)).body.status === 'healthy');
    ctx.expect(back === true, 'healthy again after the database returns', back ? 'healthy' : 'not healthy');
  },
});
