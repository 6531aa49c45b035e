import type { SocketCounterName, SocketMetrics } from '../../../http.ts';

/**
 * What the metrics check does, and by how much each counter must move for it (MET-1, MET-2): pure.
 * The check performs exactly these actions on a target nothing else talks to.
 */
export interface MetricActions {
  handshakesAccepted: number;
  handshakesRefused: number;
  /** message:send answered ok with a new message. */
  newMessages: number;
  /** message:send repeated with a used clientMsgId: answered ok, not a new message. */
  idempotentRepeats: number;
  /** message:send answered not ok (validation, forbidden). */
  sendsRefused: number;
  /** Other events answered ok (joins). */
  otherEventsOk: number;
  /** Unknown events with a callback (answered VALIDATION). */
  unknownEvents: number;
  /** Known events sent without a callback (not processed, counted rejected). */
  withoutCallback: number;
}

export type CounterDeltas = Partial<Record<SocketCounterName, number>>;

export function expectedDeltas(a: MetricActions): CounterDeltas {
  return {
    totalConnections: a.handshakesAccepted,
    failedConnections: a.handshakesRefused,
    messagesSent: a.newMessages,
    messagesRejected: a.sendsRefused,
    eventsProcessed: a.newMessages + a.idempotentRepeats + a.otherEventsOk,
    eventsRejected: a.sendsRefused + a.unknownEvents + a.withoutCallback,
    rateLimited: 0,
  };
}

export function actualDeltas(before: SocketMetrics, after: SocketMetrics, names: readonly SocketCounterName[]): CounterDeltas {
  return Object.fromEntries(names.map((n) => [n, (after[n] ?? 0) - (before[n] ?? 0)]));
}
