import { newRunId } from '../../testbed/clients/chat-fleet.ts';
import { roundSummary, summarize } from '../../testbed/percentiles.ts';
import { summarizeHistory } from '../../testbed/history/history-check.ts';
import type { SendRecord } from '../../testbed/clients/message-stream.ts';
import { openFaultLink } from '../../testbed/fault-proxy/fault-link.ts';
import { startFaultStream } from '../fault-stream.ts';
import { pause, type Scenario } from '../scenario.ts';
import { checkerSummary, streamVerdict } from '../stream-verdict.ts';

/** Ack latencies of the acked sends first sent in [from, to). */
function ackMsBetween(records: readonly SendRecord[], from: number, to: number): number[] {
  return records.flatMap((r) => (r.ackMs !== undefined && r.firstSentAt >= from && r.firstSentAt < to ? [r.ackMs] : []));
}

/**
 * latency: clients stream through the fault proxy; after a `phaseMs` baseline the runner adds a latency
 * toxic (`latencyMs` on server-to-client data) for another `phaseMs`. Reports ack latency before and during.
 * Passes when every send is acked and stored exactly once under the added latency; the figures are printed,
 * never judged against a threshold.
 */
export const latencyScenario: Scenario = async (ctx) => {
  const o = ctx.options;
  const runId = newRunId('lat');
  const link = await openFaultLink(ctx.target.url, `sockproof-${runId}`, { clientTls: true });
  try {
    const fs = await startFaultStream(ctx, runId, link);
    const t0 = performance.now();
    let addedAt = 0;
    let removedAt = 0;
    try {
      await pause(o.phaseMs, ctx.signal);
      await fs.nemesis('latency', 'start', () => link.addLatency(o.latencyMs), `+${o.latencyMs} ms`);
      addedAt = performance.now();
      ctx.say(`  latency toxic: +${o.latencyMs} ms downstream`);
      await pause(o.phaseMs, ctx.signal);
      await fs.nemesis('latency', 'heal', () => link.removeLatency());
      removedAt = performance.now();
      // A tail after the heal, so that availability can see the service answer again (else it is unknown).
      await pause(o.phaseMs / 2, ctx.signal);
    } catch (err) {
      fs.abort();
      throw err;
    }
    const { records, history, doubt, checkers, recorded } = await fs.finish();
    const before = summarize(ackMsBetween(records, t0, addedAt));
    const during = summarize(ackMsBetween(records, addedAt, removedAt));
    const { verdict, reason } = streamVerdict(checkers, doubt);
    const bothPhases = before.count > 0 && during.count > 0;
    return {
      verdict: bothPhases ? verdict : 'fail',
      reason: bothPhases ? `${reason}; ack p50 ${Math.round(before.p50)} -> ${Math.round(during.p50)} ms` : `${reason}; a phase had no acked send`,
      figures: {
        ...doubt,
        addedLatencyMs: o.latencyMs,
        ackLatencyBeforeMs: roundSummary(before),
        ackLatencyDuringMs: roundSummary(during),
      },
      history: summarizeHistory(history),
      checkers: checkerSummary(checkers),
      recorded,
    };
  } finally {
    await link.close();
  }
};
