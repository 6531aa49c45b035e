import { newRunId } from '../../testbed/clients/chat-fleet.ts';
import { summarizeHistory } from '../../testbed/history/history-check.ts';
import { openFaultLink } from '../../testbed/fault-proxy/fault-link.ts';
import { firstAckAfter, startFaultStream } from '../fault-stream.ts';
import { pause, type Scenario } from '../scenario.ts';
import { checkerSummary, streamVerdict } from '../stream-verdict.ts';

/**
 * partition: clients reach the target through the fault proxy; while they stream, the runner disables the
 * proxy (listener closed, live connections cut) for `cutMs`, then heals it. Clients reconnect and retry the
 * sends left in doubt with the same clientMsgId. Proves that a network cut loses no acked message and that
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
      cutAt = performance.now();
      await fs.nemesis('partition', 'start', () => link.cut());
      ctx.say(`  proxy cut for ${o.cutMs} ms`);
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
