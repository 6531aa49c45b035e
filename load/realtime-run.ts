import { setTimeout as sleep } from 'node:timers/promises';
import { errorsByCode, newRunId, openFleet, verifyExactlyOnce } from '../testbed/clients/chat-fleet.ts';
import { summarizeHistory, type HistorySummary } from '../testbed/history/history-check.ts';
import { startStream } from '../testbed/clients/message-stream.ts';
import { roundSummary, summarize, type RoundedSummary } from '../testbed/percentiles.ts';
import type { TargetAccess } from '../testbed/targets/target-http.ts';

export interface RealtimeOptions {
  clients: number;
  durationS: number;
  /** Messages per client per second; undefined: each client sends as soon as its last send is answered. */
  rate: number | undefined;
  maxMessages: number;
  signal?: AbortSignal;
  say?: (line: string) => void;
}

export interface RealtimeResult {
  kind: 'realtime';
  config: { clients: number; durationS: number; ratePerClient: number | null; maxMessages: number; mode: string };
  figures: {
    sent: number;
    acked: number;
    failed: number;
    elapsedS: number;
    ackedPerSec: number;
    ackLatencyMs: RoundedSummary;
    fanoutLatencyMs: RoundedSummary;
    fanoutDeliveries: number;
    errors: Record<string, number>;
    disconnects: number;
  };
  history: HistorySummary;
}

/** N clients on one fresh channel send for `durationS` (or until `maxMessages`), then history is verified. */
export async function runRealtimeLoad(target: TargetAccess, opts: RealtimeOptions): Promise<RealtimeResult> {
  const say = opts.say ?? (() => {});
  const runId = newRunId('load');
  say(`connecting ${opts.clients} clients...`);
  const fleet = await openFleet(target, { runId, clients: opts.clients, reconnect: true });
  try {
    say(`sending for ${opts.durationS} s ${opts.rate === undefined ? '(closed loop: one message in flight per client)' : `at ${opts.rate} msg/s per client`}...`);
    const t0 = performance.now();
    const stream = startStream(fleet.clients, { runId, ratePerClient: opts.rate, maxMessages: opts.maxMessages, retry: false });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise((r) => (timer = setTimeout(r, opts.durationS * 1000))),
      stream.finished,
      new Promise((r) => opts.signal?.addEventListener('abort', r, { once: true })),
    ]);
    clearTimeout(timer);
    stream.stop();
    const records = await stream.finished;
    // A loop, not Math.max(...records): a spread of 100k+ arguments overflows the stack.
    const lastAck = records.reduce((last, r) => Math.max(last, r.ackedAt ?? t0), t0);
    const elapsedS = Math.max(0.001, (lastAck - t0) / 1000);
    // Let the last broadcasts arrive before the clients go.
    await sleep(300);
    const disconnects = fleet.disconnects();
    fleet.close();
    say('verifying history...');
    const verdict = await verifyExactlyOnce(target, fleet, records);
    const acked = records.filter((r) => r.outcome === 'acked');
    return {
      kind: 'realtime',
      config: {
        clients: opts.clients,
        durationS: opts.durationS,
        ratePerClient: opts.rate ?? null,
        maxMessages: opts.maxMessages,
        mode: opts.rate === undefined ? 'closed loop (1 in flight per client)' : 'fixed rate',
      },
      figures: {
        sent: records.length,
        acked: acked.length,
        failed: records.length - acked.length,
        elapsedS: Math.round(elapsedS * 100) / 100,
        ackedPerSec: Math.round((acked.length / elapsedS) * 10) / 10,
        ackLatencyMs: roundSummary(summarize(acked.map((r) => r.ackMs!))),
        fanoutLatencyMs: roundSummary(summarize(fleet.fanoutMs)),
        fanoutDeliveries: fleet.fanoutSeen,
        errors: errorsByCode(records),
        disconnects,
      },
      history: summarizeHistory(verdict),
    };
  } finally {
    fleet.close();
  }
}
