import type { CheckContext } from '../../context.ts';
import { defineCheck } from '../../check.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SocketMetrics } from '../../../http.ts';

const CYCLES = 25;
const SETTLE_MS = 3_000;
/** Heap growth tolerated over the cycles: garbage collection is not on the harness's clock. */
const HEAP_SLACK_BYTES = 64 * 1024 * 1024;

const gauges = (m: SocketMetrics) => ({ activeConnections: m.activeConnections, ...m.state });

export default defineCheck({
  id: 'C05',
  title: 'Per-connection state returns to baseline after many connect/disconnect cycles',
  group: 'Architecture',
  level: 'MUST',
  rules: ['SES-2'],
  timeoutMs: 60_000,
  async run(ctx: CheckContext) {
    await sleep(300);
    const before = await ctx.metrics();
    const channelId = await ctx.channel();
    for (let i = 0; i < CYCLES; i++) {
      const user = await ctx.user('cycler');
      const conn = await ctx.connectAs(`cycler#${i}`, user);
      await ctx.ok(conn, 'channel:join', { channelId });
      await ctx.ok(conn, 'typing:start', { channelId });
      await ctx.ok(conn, 'presence:update', { status: 'away' });
      conn.close();
    }
    const baseline = gauges(before);
    let after = await ctx.metrics();
    const deadline = performance.now() + SETTLE_MS;
    const atBaseline = (m: SocketMetrics) => Object.entries(gauges(m)).every(([k, v]) => v <= baseline[k as keyof typeof baseline]);
    while (!atBaseline(after) && performance.now() < deadline) {
      await sleep(200);
      after = await ctx.metrics();
    }
    ctx.expect(atBaseline(after), `state gauges back to baseline ${JSON.stringify(baseline)} within ${SETTLE_MS} ms of ${CYCLES} cycles`, JSON.stringify(gauges(after)));
    // SES-2 releases at the disconnect, not at the next sweep: each cycle's typing indicator ended with its
    // socket (TYP-3), so a sweep that found anything of these sockets (SES-3 counts what it removes) found
    // state the disconnect left behind.
    const swept = after.staleEntriesCleaned - before.staleEntriesCleaned;
    ctx.expect(swept === 0, 'nothing of the cycles\' sockets was left for the periodic sweep: staleEntriesCleaned moved by 0 (SES-2, SES-3)', `moved by ${swept}`);
    const growth = after.memory.heapUsedBytes - before.memory.heapUsedBytes;
    ctx.expect(growth < HEAP_SLACK_BYTES, `heap growth under ${HEAP_SLACK_BYTES / 1024 / 1024} MiB`, `${Math.round(growth / 1024)} KiB`);
  },
});
