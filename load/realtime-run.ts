import { tokenNow } from '../testbed/targets/token-source.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorsByCode, newRunId, openFleet, verifyExactlyOnce } from '../testbed/clients/chat-fleet.ts';
import { checkHistory, summarizeHistory, type HistorySummary } from '../testbed/history/history-check.ts';
import { startStream } from '../testbed/clients/message-stream.ts';
import { recordFinalRead } from '../testbed/history/recorded-read.ts';
import type { History } from '../testbed/history/history.ts';
import { overallVerdict, runCheckers, type CheckerVerdict } from '../testbed/history/checkers/index.ts';
import { DEFAULT_DELIVERY_BOUND_MS } from '../testbed/history/checkers/delivery.ts';
import { waitFor } from '../testbed/wait.ts';
import { roundSummary, summarize, type RoundedSummary } from '../testbed/percentiles.ts';
import type { TargetAccess } from '../testbed/targets/target-http.ts';
import { LeanHistoryRecorder } from './lean-recorder.ts';

export interface RealtimeOptions {
  clients: number;
  durationS: number;
  /** Messages per client per second; undefined: each client sends as soon as its last send is answered. */
  rate: number | undefined;
  maxMessages: number;
  /** Record the run's history and judge it with the checkers (default); false: the figures and the exactly-once check only. */
  record?: boolean;
  signal?: AbortSignal;
  say?: (line: string) => void;
}

/**
 * Deliveries a run records at most, over its observers: a load run records every member's deliveries only
 * when `clients x maxMessages` fits, otherwise those of as many members as fit (at least one).
 */
export const DELIVERY_RECORD_BUDGET = 2_000_000;

/** How many members have their deliveries recorded (pure). */
export function observerCount(clients: number, maxMessages: number): number {
  return Math.max(1, Math.min(clients, Math.floor(DELIVERY_RECORD_BUDGET / Math.max(1, maxMessages))));
}

/** What the run recorded and how the checkers judged it (absent for an unrecorded run). */
export interface RealtimeJudgement {
  /** valid: every checker valid; invalid: one is; unknown otherwise (never a pass). */
  verdict: CheckerVerdict['verdict'];
  checkers: CheckerVerdict[];
  recording: { ops: number; deliveries: number; observers: number; members: number; deliveryBoundMs: number; checkMs: number };
}

export interface RealtimeResult {
  kind: 'realtime';
  config: { clients: number; durationS: number; ratePerClient: number | null; maxMessages: number; mode: string; recorded: boolean };
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
    /**
     * Sessions the server ended at their token's exp (AUTH-5) that the clients connected again with a refreshed
     * token (supplied tokens with a refresh command): the joins the history records as `after: token-expired`.
     */
    rejoinsAfterTokenExpiry: number;
    /** CPU time of this process (the clients, and the recording) per acked message while sending, µs. */
    runnerCpuUsPerAck: number | null;
  };
  history: HistorySummary;
  judgement?: RealtimeJudgement;
  /** The recorded history itself, for the report's timeline (kept out of the JSON output). */
  recorded?: History;
}

/** Counterexamples a result keeps per checker (the reason counts them all). */
const COUNTEREXAMPLES_KEPT = 20;

/**
 * N clients on one fresh channel send for `durationS` (or until `maxMessages`). Recorded (the default): every
 * send attempt and join, and each observer's deliveries, go into a history (lean-recorder.ts); the channel is
 * read back as the `reader`'s final read, the members are given the delivery bound to catch up, and the
 * history's checkers judge it. Unrecorded: history read back and checked for exactly-once only.
 */
export async function runRealtimeLoad(target: TargetAccess, opts: RealtimeOptions): Promise<RealtimeResult> {
  const say = opts.say ?? (() => {});
  const record = opts.record ?? true;
  const runId = newRunId('load');
  const recorder = record ? new LeanHistoryRecorder(observerCount(opts.clients, opts.maxMessages)) : undefined;
  say(`connecting ${opts.clients} clients...`);
  const fleet = await openFleet(target, { runId, clients: opts.clients, reconnect: true, ...(recorder ? { recorder } : {}) });
  try {
    say(`sending for ${opts.durationS} s ${opts.rate === undefined ? '(closed loop: one message in flight per client)' : `at ${opts.rate} msg/s per client`}${record ? ', recording the history' : ''}...`);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
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
    const cpu = process.cpuUsage(cpu0);
    // A loop, not Math.max(...records): a spread of 100k+ arguments overflows the stack.
    const lastAck = records.reduce((last, r) => Math.max(last, r.ackedAt ?? t0), t0);
    const elapsedS = Math.max(0.001, (lastAck - t0) / 1000);
    const acked = records.filter((r) => r.outcome === 'acked');
    let history: HistorySummary;
    let judgement: RealtimeJudgement | undefined;
    let recorded: History | undefined;
    let disconnects: number;
    if (recorder) {
      say('reading the history back and judging it...');
      const stored = await recordFinalRead(recorder, { url: target.url, readerToken: tokenNow(fleet.reader) }, fleet.channelId, records.length + 1_000);
      // The members get the delivery bound to see every stored message before the history ends (as chaos does).
      if (stored) await waitFor('every delivery', () => observersCaughtUp(recorder, stored), DEFAULT_DELIVERY_BOUND_MS, 100).catch(() => undefined);
      disconnects = fleet.disconnects();
      fleet.close();
      const checkStart = performance.now();
      recorded = recorder.history();
      const checkers = runCheckers(recorded, { deliveryBoundMs: DEFAULT_DELIVERY_BOUND_MS });
      judgement = {
        verdict: overallVerdict(checkers),
        checkers: checkers.map((c) => ({ ...c, counterexamples: c.counterexamples.slice(0, COUNTEREXAMPLES_KEPT) })),
        recording: {
          ops: recorded.ops.length,
          deliveries: recorded.deliveries.length,
          observers: recorder.observed().size,
          members: opts.clients,
          deliveryBoundMs: DEFAULT_DELIVERY_BOUND_MS,
          checkMs: Math.round(performance.now() - checkStart),
        },
      };
      history = summarizeHistory(checkHistory(acked.map((r) => r.acked!), stored ?? []));
      if (!stored) history.firstProblems.unshift('the final history read failed: nothing could be checked');
    } else {
      // Let the last broadcasts arrive before the clients go.
      await sleep(300);
      disconnects = fleet.disconnects();
      fleet.close();
      say('verifying history...');
      history = summarizeHistory(await verifyExactlyOnce(target, fleet, records));
    }
    return {
      kind: 'realtime',
      config: {
        clients: opts.clients,
        durationS: opts.durationS,
        ratePerClient: opts.rate ?? null,
        maxMessages: opts.maxMessages,
        mode: opts.rate === undefined ? 'closed loop (1 in flight per client)' : 'fixed rate',
        recorded: record,
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
        rejoinsAfterTokenExpiry: recorded
          ? recorded.ops.filter((o) => o.f === 'join' && o.outcome === 'ok' && o.value.after === 'token-expired').length
          : fleet.clients.reduce((n, c) => n + c.tokenReconnects, 0),
        runnerCpuUsPerAck: acked.length ? Math.round((cpu.user + cpu.system) / acked.length) : null,
      },
      history,
      ...(judgement ? { judgement } : {}),
      ...(recorded ? { recorded } : {}),
    };
  } finally {
    fleet.close();
  }
}

/** Every observer has as many deliveries as the stored messages by others (a cheap count; the checkers judge which). */
function observersCaughtUp(recorder: LeanHistoryRecorder, stored: readonly { authorId: string }[]): boolean {
  const byAuthor = new Map<string, number>();
  for (const m of stored) byAuthor.set(m.authorId, (byAuthor.get(m.authorId) ?? 0) + 1);
  for (const p of recorder.observed()) if (recorder.deliveriesTo(p) < stored.length - (byAuthor.get(p) ?? 0)) return false;
  return true;
}
