import { setTimeout as sleep } from 'node:timers/promises';
import type { AckedSend } from '../history/history-check.ts';
import { DRAIN_TIMEOUT_MS, MAX_IN_FLIGHT_PER_CLIENT } from '../run-bounds.ts';
import type { SendFailure, StreamClient } from './stream-client.ts';

/**
 * N clients sending messages with unique clientMsgIds until stopped, by time or by count. Without a rate each
 * client sends its next message when the last is answered (closed loop, one in flight); with a rate, on a
 * fixed schedule with up to MAX_IN_FLIGHT_PER_CLIENT in flight. Every send's outcome is recorded.
 */
export interface SendRecord {
  clientMsgId: string;
  userId: string;
  /** performance.now() of the first attempt. */
  firstSentAt: number;
  attempts: number;
  inDoubt: boolean;
  outcome: 'acked' | 'failed';
  code?: SendFailure;
  acked?: AckedSend;
  /** Ack latency of the attempt that was acked (send to ack). */
  ackMs?: number;
  ackedAt?: number;
}

export interface StreamOptions {
  runId: string;
  /** Messages per client per second; undefined: closed loop. */
  ratePerClient: number | undefined;
  /** Stop starting new sends after this many, over all clients. */
  maxMessages: number;
  /** Retry unanswered sends with the same clientMsgId (chaos runs). */
  retry: boolean;
  drainTimeoutMs?: number;
}

export interface MessageStream {
  /** Stops new sends; in-flight ones are still answered or retried until the drain deadline. */
  stop(): void;
  /** Resolves when every client loop is done, with every send in start order. */
  finished: Promise<SendRecord[]>;
}

export function startStream(clients: readonly StreamClient[], opts: StreamOptions): MessageStream {
  const records: SendRecord[] = [];
  let stopped = false;
  let stopAt = Number.POSITIVE_INFINITY;
  let started = 0;
  // Wakes a client waiting for its next slot; an AbortSignal leaves no reaction behind per wait,
  // where racing one long-lived promise would keep one per send until the run ends.
  const stopping = new AbortController();
  const drain = opts.drainTimeoutMs ?? DRAIN_TIMEOUT_MS;
  const giveUpAt = () => stopAt + drain;

  const sendOne = async (client: StreamClient, n: number): Promise<void> => {
    const clientMsgId = `${opts.runId}-${client.opts.userId}-${n}`;
    const text = `sockproof ${clientMsgId}`;
    const out = await client.send(clientMsgId, text, opts.retry, giveUpAt);
    if (out.ok) {
      records.push({
        clientMsgId,
        userId: client.opts.userId,
        firstSentAt: out.firstSentAt,
        attempts: out.attempts,
        inDoubt: out.inDoubt,
        outcome: 'acked',
        acked: out.acked,
        ackMs: out.ackedAt - out.lastSentAt,
        ackedAt: out.ackedAt,
      });
    } else {
      records.push({ clientMsgId, userId: client.opts.userId, firstSentAt: out.firstSentAt, attempts: out.attempts, inDoubt: out.inDoubt, outcome: 'failed', code: out.code });
    }
  };

  const loop = async (client: StreamClient, index: number): Promise<void> => {
    const inFlight = new Set<Promise<void>>();
    const maxInFlight = opts.ratePerClient === undefined ? 1 : MAX_IN_FLIGHT_PER_CLIENT;
    const interval = opts.ratePerClient === undefined ? 0 : 1000 / opts.ratePerClient;
    // Spread the clients' schedules over one interval so they do not send in lockstep.
    let next = performance.now() + (interval * index) / Math.max(1, clients.length);
    let n = 0;
    while (!stopped && started < opts.maxMessages) {
      if (inFlight.size >= maxInFlight) {
        await Promise.race(inFlight); // after stop() the loop would wait for these anyway
        continue;
      }
      if (interval > 0) {
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait, undefined, { signal: stopping.signal }).catch(() => undefined);
        if (stopped) break;
        next = Math.max(next + interval, performance.now() - interval);
      }
      started++;
      const p = sendOne(client, n++).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.allSettled([...inFlight]);
  };

  const finished = Promise.all(clients.map((c, i) => loop(c, i))).then(() => records);
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      stopAt = performance.now();
      stopping.abort();
    },
    finished,
  };
}
