import { newRunId } from '../../testbed/clients/chat-fleet.ts';
import { summarizeHistory } from '../../testbed/history/history-check.ts';
import { openFaultLink } from '../../testbed/fault-proxy/fault-link.ts';
import { firstAckAfter, startFaultStream } from '../fault-stream.ts';
import { pause, type Scenario } from '../scenario.ts';
import { checkerSummary, streamVerdict } from '../stream-verdict.ts';

/**
 * How long before the cut the server's answers are held in the proxy. On loopback an ack is in flight for a
 * millisecond or two, so a bare cut rarely finds one and the retry path went untested in most runs; holding the
 * answers first means every send stored in this window has its ack lost by the cut: its retry is certain.
 */
export const ACK_HOLD_MS = 300;

/**
 * partition: clients reach the target through the fault proxy; while they stream, the runner holds the
 * server's answers in the proxy for ACK_HOLD_MS, then disables the proxy (listener closed, live connections and
 * the held answers cut) for `cutMs`, then heals it. Clients reconnect and retry the sends left in doubt with the
 * same clientMsgId, among them sends that were stored. Proves that a network cut loses no acked message and that
 * retries after it never store a message twice (MSG-4, DUR-2).
 */
export const partitionScenario: Scenario = async (ctx) => {
  const o = ctx.options;
  const runId = newRunId('part');
  const link = await openFaultLink(ctx.target.url, `sockproof-${runId}`, { clientTls: true });
  try {
    const fs = await startFaultStream(ctx, runId, link);
    let cutAt = 0;
    let healAt = 0;
    let disconnectsBefore = 0;
    try {
      await pause(o.phaseMs, ctx.signal);
      disconnectsBefore = fs.fleet.disconnects();
      // Longer than the hold, so no answer held gets through before the cut drops it; removed right after the cut.
      await fs.nemesis('latency', 'start', () => link.addLatency(o.cutMs + ACK_HOLD_MS), 'answers held before the cut');
      await pause(ACK_HOLD_MS, ctx.signal);
      cutAt = performance.now();
      await fs.nemesis('partition', 'start', () => link.cut());
      await fs.nemesis('latency', 'heal', () => link.removeLatency());
      ctx.say(`  answers held ${ACK_HOLD_MS} ms, then proxy cut for ${o.cutMs} ms`);
      await pause(o.cutMs, ctx.signal);
      await fs.nemesis('partition', 'heal', () => link.heal());
      healAt = performance.now();
      ctx.say('  proxy healed');
      await pause(o.phaseMs, ctx.signal);
    } catch (err) {
      fs.abort();
      throw err;
    }
    const disconnects = fs.fleet.disconnects() - disconnectsBefore;
    const { records, history, doubt, checkers, recorded } = await fs.finish();
    const { verdict, reason } = streamVerdict(checkers, doubt);
    return {
      verdict,
      reason,
      figures: {
        ...doubt,
        cutMs: Math.round(healAt - cutAt),
        ackHoldMs: ACK_HOLD_MS,
        disconnects,
        healToFirstAckMs: firstAckAfter(records, healAt),
        ackedDuringCut: records.filter((r) => r.ackedAt !== undefined && r.ackedAt > cutAt && r.ackedAt < healAt).length,
      },
      history: summarizeHistory(history),
      checkers: checkerSummary(checkers),
      recorded,
    };
  } finally {
    await link.close();
  }
};
