import { setTimeout as sleep } from 'node:timers/promises';
import { HTTP_PATHS, type SocketMetrics } from '../../../http.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { msgKey } from '../scene.ts';
import { parsePrometheusText, prometheusCounterName, sampleValue, type PrometheusSample } from './prometheus-text.ts';

/** MET-1's counters, each served by MET-3 as `sockproof_<snake_case>_total`. */
const COUNTERS = [
  'totalConnections',
  'failedConnections',
  'messagesSent',
  'messagesRejected',
  'eventsProcessed',
  'eventsRejected',
  'rateLimited',
  'circuitBreakerTrips',
  'staleEntriesCleaned',
  'redisReconnects',
] as const satisfies ReadonlyArray<keyof SocketMetrics>;
const SENDS = 3;
/** What the check does between its two readings, and by how much each counter moves for it (MET-2). */
const MOVES: Partial<Record<(typeof COUNTERS)[number], number>> = {
  totalConnections: 1,
  messagesSent: SENDS,
  eventsProcessed: 1 + SENDS, // the join and the sends
  eventsRejected: 1, // an unknown event
};

export default defineCheck({
  id: 'S20',
  title: 'GET /metrics serves the figures of /metrics/socket in the Prometheus text format (prefix sockproof_, process metrics included), moving as they move',
  group: 'Spec rules',
  level: 'SHOULD',
  rules: ['MET-3'],
  async run(ctx: CheckContext) {
    const channelId = await ctx.channel();
    const user = await ctx.user('scraped');
    await sleep(200); // earlier checks' sockets finish closing
    const json0 = await ctx.metrics();
    const prom0 = await scrape(ctx, 'before');
    if (!prom0) return;
    ctx.expect(prom0.every((s) => s.name.startsWith('sockproof_')), 'every metric name starts with sockproof_', prom0.filter((s) => !s.name.startsWith('sockproof_')).slice(0, 3).map((s) => s.name).join(', ') || 'all do');
    ctx.expect(prom0.some((s) => s.name.startsWith('sockproof_process_')), 'process metrics are served (sockproof_process_…)', prom0.slice(0, 5).map((s) => s.name).join(', '));
    const missing = COUNTERS.filter((c) => sampleValue(prom0, prometheusCounterName(c)) === undefined);
    ctx.expect(missing.length === 0, `each MET-1 counter is served as ${prometheusCounterName('messagesSent')} and so on`, missing.map(prometheusCounterName).join(', ') || 'all served');

    const conn = await ctx.connectAs('scraped', user);
    await ctx.ok(conn, 'channel:join', { channelId });
    for (let i = 0; i < SENDS; i++) await ctx.ok(conn, 'message:send', { channelId, text: `scraped ${i}`, clientMsgId: msgKey(ctx) });
    await ctx.refused(conn, 'no:such:event', [{}], 'VALIDATION');
    await sleep(200);

    const json1 = await ctx.metrics();
    const prom1 = await scrape(ctx, 'after');
    if (!prom1) return;
    for (const [counter, moves] of Object.entries(MOVES) as Array<[(typeof COUNTERS)[number], number]>) {
      const name = prometheusCounterName(counter);
      const [p0, p1] = [sampleValue(prom0, name), sampleValue(prom1, name)];
      const promMoved = p0 === undefined || p1 === undefined ? undefined : p1 - p0;
      const jsonMoved = json1[counter] - json0[counter];
      ctx.expect(promMoved === jsonMoved && promMoved === moves, `${name} moves as ${counter} does in /metrics/socket: by ${moves}`, `${name} ${promMoved ?? 'not served'}, ${counter} ${jsonMoved}`);
      ctx.expect(p1 === json1[counter], `${name} equals ${counter} read just before it`, `${p1 ?? 'not served'} vs ${json1[counter]}`);
    }
  },
});

/** GET /metrics parsed, its answer judged; undefined (the failure recorded) when it cannot be read at all. */
async function scrape(ctx: CheckContext, when: string): Promise<PrometheusSample[] | undefined> {
  const res = await ctx.http.send({ path: HTTP_PATHS.prometheus });
  if (res.status === 404) {
    ctx.expect(false, `GET ${HTTP_PATHS.prometheus} (${when}) is served`, '404');
    return undefined;
  }
  ctx.expect(res.status === 200 && res.contentType.startsWith('text/plain'), `GET ${HTTP_PATHS.prometheus} (${when}): 200 text/plain`, `${res.status} ${res.contentType}`);
  const parsed = parsePrometheusText(res.text);
  if (!parsed.ok) {
    ctx.expect(false, `GET ${HTTP_PATHS.prometheus} (${when}) parses as the Prometheus text format`, `line ${parsed.line}: ${parsed.why}: ${parsed.text}`);
    return undefined;
  }
  ctx.recorder.note(`GET ${HTTP_PATHS.prometheus} (${when}): ${parsed.samples.length} samples`);
  return parsed.samples;
}
