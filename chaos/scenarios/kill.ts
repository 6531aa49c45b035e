import { newRunId } from '../../testbed/clients/chat-fleet.ts';
import { summarizeHistory } from '../../testbed/history/history-check.ts';
import { waitServing } from '../../testbed/targets/target-http.ts';
import { summarize, roundSummary } from '../../testbed/percentiles.ts';
import { killDelays } from '../kill-schedule.ts';
import { pause, type Scenario } from '../scenario.ts';
import { startFaultStream, firstAckAfter } from '../fault-stream.ts';
import { checkerSummary, streamVerdict } from '../stream-verdict.ts';

const SERVING_TIMEOUT_MS = 120_000;

/**
 * kill: clients stream messages while the runner SIGKILLs the server (its whole process group) K times at
 * seeded random moments and restarts it on the same port and data. Clients reconnect and retry unacked sends
 * with the same clientMsgId. Proves DUR-1/DUR-2: every acked message survives the crash, exactly once.
 */
export const killScenario: Scenario = async (ctx) => {
  const proc = ctx.target.process ?? ctx.killable;
  if (!proc) return { verdict: 'unimplemented', reason: 'needs a server the runner starts (--server-cmd, or no --target), or kill and restart hooks in --config', figures: {} };
  const o = ctx.options;
  const runId = newRunId('kill');
  const fs = await startFaultStream(ctx, runId);
  const kills: Array<{ atMs: number; killToServingMs: number | null; killToFirstAckMs: number | null }> = [];
  const t0 = performance.now();
  const killTimes: number[] = [];
  try {
    for (const delay of killDelays(o.seed, o.kills, o.killDelayMs.min, o.killDelayMs.max)) {
      await pause(delay, ctx.signal);
      if (ctx.signal.aborted) break;
      const killAt = performance.now();
      killTimes.push(killAt);
      ctx.say(`  kill ${killTimes.length}/${o.kills}: SIGKILL at +${Math.round(killAt - t0)} ms, restarting...`);
      await fs.nemesis('kill', 'start', () => proc.crash(), 'SIGKILL');
      // Poll from the moment of the kill, while the restart runs, so the figure is kill -> first 200.
      const serving = waitServing(proc.url, performance.now() + SERVING_TIMEOUT_MS);
      const servingAt = await fs.nemesis('kill', 'heal', async () => {
        await proc.restart();
        const at = await serving;
        if (at === undefined) throw new Error(`the server did not serve /health/socket within ${SERVING_TIMEOUT_MS} ms of a restart: ${proc.lastOutput()}`);
        return at;
      }, 'restart');
      kills.push({ atMs: Math.round(killAt - t0), killToServingMs: Math.round(servingAt - killAt), killToFirstAckMs: null });
      ctx.say(`  serving again after ${Math.round(servingAt - killAt)} ms`);
    }
    await pause(o.phaseMs, ctx.signal);
  } catch (err) {
    fs.abort();
    throw err;
  }
  const { records, history, doubt, checkers, recorded } = await fs.finish();
  kills.forEach((k, i) => (k.killToFirstAckMs = firstAckAfter(records, killTimes[i]!)));
  const { verdict, reason } = streamVerdict(checkers, doubt);
  const serving = kills.flatMap((k) => (k.killToServingMs === null ? [] : [k.killToServingMs]));
  return {
    verdict,
    reason: `${reason}; ${kills.length} kill(s), kill to serving ${serving.length ? `max ${Math.max(...serving)} ms` : '-'}`,
    figures: {
      ...doubt,
      kills,
      killToServingMs: roundSummary(summarize(serving), 0),
      seed: o.seed,
      ackLatencyMs: roundSummary(summarize(records.flatMap((r) => (r.ackMs === undefined ? [] : [r.ackMs])))),
    },
    history: summarizeHistory(history),
      checkers: checkerSummary(checkers),
      recorded,
  };
};
