import { openFleet, verifyExactlyOnce, type Fleet } from '../testbed/clients/chat-fleet.ts';
import type { HistoryVerdict } from '../testbed/history/history-check.ts';
import { startStream, type SendRecord } from '../testbed/clients/message-stream.ts';
import type { ScenarioContext } from './scenario.ts';
import { doubtFigures, type DoubtFigures } from './stream-verdict.ts';

/** Ack timeout of one attempt under faults: short, so that a lost ack becomes a retry quickly. */
export const CHAOS_ACK_TIMEOUT_MS = 5_000;

/** The clients of a fault scenario streaming at a fixed rate, retrying unanswered sends with the same clientMsgId. */
export interface FaultStream {
  fleet: Fleet;
  /** Stops sending, waits for every send to be acked or given up, reads history and checks it. */
  finish(): Promise<{ records: SendRecord[]; history: HistoryVerdict; doubt: DoubtFigures }>;
  /** Stops sending and closes the clients at once (the scenario failed). */
  abort(): void;
}

export async function startFaultStream(ctx: ScenarioContext, runId: string, clientUrl?: string): Promise<FaultStream> {
  const access = { url: ctx.target.url, jwtSecret: ctx.target.jwtSecret! };
  const fleet = await openFleet(access, { runId, clients: ctx.options.clients, reconnect: true, ackTimeoutMs: CHAOS_ACK_TIMEOUT_MS, ...(clientUrl ? { clientUrl } : {}) });
  const stream = startStream(fleet.clients, {
    runId,
    ratePerClient: ctx.options.rate,
    maxMessages: ctx.options.maxMessages,
    retry: true,
    drainTimeoutMs: ctx.options.drainMs,
  });
  return {
    fleet,
    async finish() {
      stream.stop();
      const records = await stream.finished;
      fleet.close();
      const history = await verifyExactlyOnce(access, fleet.channelId, records);
      return { records, history, doubt: doubtFigures(records) };
    },
    abort() {
      stream.stop();
      fleet.close();
    },
  };
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
