import { newRunId } from '../../testbed/clients/chat-fleet.ts';
import { summarizeHistory } from '../../testbed/history/history-check.ts';
import { openFaultLink } from '../../testbed/fault-proxy/fault-link.ts';
import { summarize, roundSummary } from '../../testbed/percentiles.ts';
import { startFaultStream } from '../fault-stream.ts';
import { runSchedule, type NemesisFault } from '../nemesis/executor.ts';
import { processFaults } from '../nemesis/process-faults.ts';
import { pause, type Scenario } from '../scenario.ts';
import { checkerSummary, streamVerdict } from '../stream-verdict.ts';

/**
 * nemesis: clients stream through the fault proxy while the runner plays a schedule (`--schedule random|FILE`,
 * `--duration`, `--seed`) of kills, pauses, partitions and latency (and dependency faults, when a scenario
 * provides them), one window at a time, always ending healed. Judged by every history checker.
 */
export const nemesisScenario: Scenario = async (ctx) => {
  const o = ctx.options;
  const schedule = o.schedule;
  if (!schedule) return { verdict: 'unimplemented', reason: 'needs --schedule random|FILE', figures: {} };
  const runId = newRunId('nem');
  const link = await openFaultLink(ctx.target.url, `sockproof-${runId}`);
  try {
    const faults = new Map([...processFaults(ctx.target.process, link, o.latencyMs), ...(ctx.nodeFaults ?? [])].map((f): [NemesisFault['name'], NemesisFault] => [f.name, f]));
    const fs = await startFaultStream(ctx, runId, link.clientUrl);
    let run;
    try {
      await pause(o.phaseMs, ctx.signal);
      run = await runSchedule(schedule, faults, fs, ctx.signal, ctx.say);
      await pause(o.phaseMs, ctx.signal);
    } catch (err) {
      fs.abort();
      throw err;
    }
    const { records, history, doubt, checkers, recorded } = await fs.finish();
    const { verdict, reason } = streamVerdict(checkers, doubt);
    const skipped = Object.entries(run.skipped).map(([f, n]) => `${f} x${n}`);
    const availability = checkers.find((c) => c.checker === 'availability')?.figures ?? {};
    return {
      verdict,
      reason: `${reason}; ${run.ran.kill ?? 0} kill(s), ${Object.values(run.ran).reduce((a, b) => a + (b ?? 0), 0)} window(s)${run.notReached ? `, ${run.notReached} not reached within --duration` : ''}${skipped.length ? `; left out (this target cannot): ${skipped.join(', ')}` : ''}`,
      figures: {
        ...doubt,
        seed: schedule.seed,
        durationMs: schedule.durationMs,
        windows: run.ran,
        skipped: run.skipped,
        maxLateMs: run.maxLateMs,
        notReached: run.notReached,
        lost: history.lost.length,
        duplicated: history.duplicated.length,
        okShare: availability.okShare ?? null,
        maxRecoverMs: availability.maxRecoverMs ?? null,
        ackLatencyMs: roundSummary(summarize(records.flatMap((r) => (r.ackMs === undefined ? [] : [r.ackMs])))),
      },
      history: summarizeHistory(history),
      checkers: checkerSummary(checkers),
      recorded,
    };
  } finally {
    await link.close();
  }
};
