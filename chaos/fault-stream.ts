import { tokenNow } from '../testbed/targets/token-source.ts';
import { openFleet, type Fleet } from '../testbed/clients/chat-fleet.ts';
import { checkHistory, type HistoryVerdict } from '../testbed/history/history-check.ts';
import { startStream, type SendRecord } from '../testbed/clients/message-stream.ts';
import { HistoryRecorder } from '../testbed/history/recorder.ts';
import { recordFinalRead } from '../testbed/history/recorded-read.ts';
import type { FaultKind, History } from '../testbed/history/history.ts';
import { runCheckers, type CheckerVerdict } from '../testbed/history/checkers/index.ts';
import { DEFAULT_DELIVERY_BOUND_MS } from '../testbed/history/checkers/delivery.ts';
import { waitFor } from '../testbed/wait.ts';
import type { TargetAccess } from '../testbed/targets/target-http.ts';
import type { ScenarioContext } from './scenario.ts';
import type { FaultLink } from '../testbed/fault-proxy/fault-link.ts';
import { doubtFigures, type DoubtFigures } from './stream-verdict.ts';

/** Ack timeout of one attempt under faults: short, so that a lost ack becomes a retry quickly. */
export const CHAOS_ACK_TIMEOUT_MS = 5_000;

/** How long after the final read every member must have each message (checker (d)); the stream waits as long. */
export const CHAOS_DELIVERY_BOUND_MS = DEFAULT_DELIVERY_BOUND_MS;

export interface FaultStreamResult {
  records: SendRecord[];
  /** The exactly-once comparison of acked sends and stored history (its summary goes in the output). */
  history: HistoryVerdict;
  /** The run's whole history and every checker's verdict over it. */
  recorded: History;
  checkers: CheckerVerdict[];
  doubt: DoubtFigures;
}

/** The clients of a fault scenario streaming at a fixed rate, retrying unanswered sends with the same clientMsgId. */
export interface FaultStream {
  fleet: Fleet;
  recorder: HistoryRecorder;
  /** Runs one nemesis action (a fault's start or heal), recorded with its invoke and complete times. */
  nemesis<T>(fault: FaultKind, phase: 'start' | 'heal', act: () => Promise<T>, note?: string): Promise<T>;
  /** Stops sending, waits for every send to be acked or given up, reads history and runs the checkers. */
  finish(): Promise<FaultStreamResult>;
  /** Stops sending and closes the clients at once (the scenario failed). */
  abort(): void;
}

/** Where a fault stream's clients connect when not to the run's target: the nodes of a deployment, spread over them. */
export interface StreamEntry {
  access: TargetAccess;
  clientUrls: readonly string[];
}

/** `via`: a fault link in front of the target (with its TLS name for an https target), or the nodes of a deployment (StreamEntry). */
export async function startFaultStream(ctx: ScenarioContext, runId: string, via?: Pick<FaultLink, 'clientUrl' | 'clientTls'> | StreamEntry): Promise<FaultStream> {
  const nodes = via && 'clientUrls' in via ? via : undefined;
  const link = via && !('clientUrls' in via) ? via : undefined;
  const access = nodes ? nodes.access : ctx.target.access();
  const entry = nodes ? { clientUrls: nodes.clientUrls } : link ? { clientUrl: link.clientUrl, clientTls: link.clientTls } : {};
  const recorder = new HistoryRecorder();
  const fleet = await openFleet(access, { runId, clients: ctx.options.clients, reconnect: true, ackTimeoutMs: CHAOS_ACK_TIMEOUT_MS, recorder, ...entry });
  const stream = startStream(fleet.clients, {
    runId,
    ratePerClient: ctx.options.rate,
    maxMessages: ctx.options.maxMessages,
    retry: true,
    drainTimeoutMs: ctx.options.drainMs,
  });
  return {
    fleet,
    recorder,
    async nemesis(fault, phase, act, note) {
      const op = recorder.invoke({ f: 'nemesis', process: 'nemesis', value: { fault, phase, ...(note ? { note } : {}) } });
      try {
        const out = await act();
        op.complete('ok');
        return out;
      } catch (err) {
        op.complete('info', { code: (err as Error).message.split('\n')[0]!.slice(0, 200) });
        throw err;
      }
    },
    async finish() {
      stream.stop();
      const records = await stream.finished;
      const stored = await recordFinalRead(recorder, { url: access.url, readerToken: tokenNow(fleet.reader) }, fleet.channelId, records.length + 1_000);
      // Give the members the delivery bound to see every stored message before the history ends.
      if (stored) await waitFor('every delivery', () => everyMemberHasAll(recorder.history(), stored), CHAOS_DELIVERY_BOUND_MS, 100).catch(() => undefined);
      fleet.close();
      const recorded = recorder.history();
      const acked = records.flatMap((r) => (r.acked ? [r.acked] : []));
      return { records, history: checkHistory(acked, stored ?? []), recorded, checkers: runCheckers(recorded, { deliveryBoundMs: CHAOS_DELIVERY_BOUND_MS }), doubt: doubtFigures(records) };
    },
    abort() {
      stream.stop();
      fleet.close();
    },
  };
}

function everyMemberHasAll(history: History, stored: readonly { id: string; authorId: string }[]): boolean {
  const members = new Set(history.ops.flatMap((o) => (o.f === 'join' && o.outcome === 'ok' ? [o.process] : [])));
  const seen = new Set(history.deliveries.map((d) => `${d.process}\u0000${d.id}`));
  return stored.every((m) => [...members].every((p) => p === m.authorId || seen.has(`${p}\u0000${m.id}`)));
}

/** Acked sends whose ack came after `at` (performance.now() time). */
export function ackedAfter(records: readonly SendRecord[], at: number): number {
  return records.filter((r) => r.ackedAt !== undefined && r.ackedAt > at).length;
}

/** Milliseconds from `at` to the first ack after it, or null. */
export function firstAckAfter(records: readonly SendRecord[], at: number): number | null {
  let first = Number.POSITIVE_INFINITY;
  for (const r of records) if (r.ackedAt !== undefined && r.ackedAt > at && r.ackedAt < first) first = r.ackedAt;
  return Number.isFinite(first) ? Math.round(first - at) : null;
}
