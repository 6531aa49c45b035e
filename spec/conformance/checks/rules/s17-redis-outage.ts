import type { Message } from '../../../events.ts';
import { describeAck } from '../../ack.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { msgKey } from '../scene.ts';
import { dependencyControl, health, nodeMetrics, requireHealthy, within } from '../outage.ts';

const SETTLE_MS = 5_000;
const HELD = 3;
/** DEG-1: no client event waits on Redis longer than DEPENDENCY_TIMEOUT_MS; the spec's default when not given. */
const DEFAULT_DEPENDENCY_TIMEOUT_MS = 3_000;

/** Ids in first-arrival order with repeats dropped (delivery is at-least-once, DEG-2): pure. */
export function firstArrivals(ids: readonly string[]): string[] {
  return ids.filter((id, i) => ids.indexOf(id) === i);
}

export default defineCheck({
  id: 'S17',
  title: 'With Redis down each node serves its own clients at once; cross-node sends are held and delivered in order after',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['DEG-1', 'DEG-2', 'HLTH-2', 'CFG-3'],
  needs: ['dependency-control', 'multi-node'],
  timeoutMs: 60_000,
  async run(ctx: CheckContext) {
    const deps = dependencyControl(ctx, 'redis');
    const peer = ctx.capabilities.peers[0]!;
    const limitMs = Number(deps.targetEnv.DEPENDENCY_TIMEOUT_MS ?? DEFAULT_DEPENDENCY_TIMEOUT_MS);
    await requireHealthy(ctx, SETTLE_MS);
    await requireHealthy(ctx, SETTLE_MS, peer);
    const [writer, local, remote] = [await ctx.user('writer'), await ctx.user('local'), await ctx.user('remote')];
    const channelId = await ctx.channel();
    const w = await ctx.connectAs('writer (node 1)', writer);
    const l = await ctx.connectAs('local (node 1)', local);
    const r = await ctx.connectAs('remote (node 2)', remote, { url: peer });
    for (const c of [w, l, r]) await ctx.ok(c, 'channel:join', { channelId });
    const warm = await ctx.ok(w, 'message:send', { channelId, text: 'warm-up', clientMsgId: msgKey(ctx) });
    ctx.require((await r.nextEvent('message:new', SETTLE_MS, (m) => (m as Message).id === warm.id)) !== undefined, 'a message crosses before the cut', 'nothing');
    const before = await nodeMetrics(ctx);

    await deps.cut('redis');
    ctx.recorder.note('redis cut');
    const degraded = await within(SETTLE_MS, async () => {
      const h = await health(ctx);
      return h.body.checks.redis?.status === 'down' ? h : undefined;
    });
    ctx.require(degraded !== undefined, `health checks.redis down within ${SETTLE_MS} ms`, 'not down');
    ctx.expect(degraded.status === 200 && degraded.body.status === 'degraded', 'health degraded, answered 200, with Redis down (HLTH-2, DEG-1)', `${degraded.status} ${degraded.body.status}`);

    const sent: Message[] = [];
    for (let i = 1; i <= HELD; i++) {
      const started = performance.now();
      const ack = await ctx.call(w, 'message:send', [{ channelId, text: `during the cut ${i}`, clientMsgId: msgKey(ctx) }], limitMs + 2_000);
      const took = Math.round(performance.now() - started);
      ctx.expect(ack.kind === 'ok', `send ${i} acked ok with Redis down (DEG-1)`, describeAck(ack));
      ctx.expect(took <= limitMs, `answered within DEPENDENCY_TIMEOUT_MS ${limitMs} ms`, `${took} ms`);
      if (ack.kind !== 'ok') continue;
      const m = ack.data as Message;
      sent.push(m);
      const here = await l.nextEvent('message:new', limitMs, (x) => (x as Message).id === m.id);
      ctx.expect(here !== undefined, `send ${i} reaches a socket on the same node at once (DEG-1)`, here ? 'received' : 'nothing');
    }
    const typing = await ctx.call(l, 'typing:start', [{ channelId }], limitMs + 2_000);
    ctx.expect(typing.kind === 'ok', 'other events are answered too (typing:start)', describeAck(typing));
    const during = await nodeMetrics(ctx);
    if (during.crossNode && before.crossNode) ctx.expect(during.crossNode.buffered >= before.crossNode.buffered + sent.length, `crossNode.buffered holds the ${sent.length} sends (DEG-2)`, JSON.stringify(during.crossNode));
    else ctx.expect(false, '/metrics/socket carries crossNode (DEG-2)', 'absent');

    await deps.heal('redis');
    ctx.recorder.note('redis healed');
    const arrived: string[] = [];
    const deadline = performance.now() + 15_000;
    while (firstArrivals(arrived).filter((id) => sent.some((m) => m.id === id)).length < sent.length && performance.now() < deadline) {
      const got = await r.nextEvent('message:new', Math.max(1, deadline - performance.now()));
      if (!got) break;
      arrived.push((got.args[0] as Message).id);
    }
    const order = firstArrivals(arrived).filter((id) => sent.some((m) => m.id === id));
    ctx.expect(JSON.stringify(order) === JSON.stringify(sent.map((m) => m.id)), 'the held sends reach node 2 after the heal, in the order they were made (DEG-2)', order.join(', ') || 'none');
    const flushed = await within(SETTLE_MS, async () => {
      const m = await nodeMetrics(ctx);
      return m.crossNode && before.crossNode && m.crossNode.flushed >= before.crossNode.flushed + sent.length ? m : undefined;
    });
    ctx.expect(flushed !== undefined, `crossNode.flushed moved by at least ${sent.length}`, JSON.stringify((await nodeMetrics(ctx)).crossNode));
    const healthy = await within(SETTLE_MS, async () => (await health(ctx)).body.status === 'healthy');
    ctx.expect(healthy === true, 'healthy again after Redis returns', healthy ? 'healthy' : 'not healthy');
  },
});
