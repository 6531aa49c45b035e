import { AnyAck, ErrorBody, type ErrorCode } from '../errors.ts';
import { clientEvents, isClientEventName } from '../events.ts';
import type { AckOutcome } from './wire/connection.ts';

/**
 * What an acknowledgement says, judged against the spec's shapes (ACK-1, ACK-2). Pure: a check
 * decides with this, the wire only carries it.
 */
export type AckReading =
  | { kind: 'ok'; data: unknown }
  | { kind: 'error'; code: ErrorCode; message: string; retryAfterMs: number | undefined }
  /** An ack came but does not fit `{ok: true, data}` / `{ok: false, error}` (or its data does not fit the event's schema). */
  | { kind: 'malformed'; why: string; raw: unknown }
  /** No ack: the target did not answer in time, or the connection closed. */
  | { kind: 'missing'; why: string };

export function readAck(event: string, outcome: AckOutcome): AckReading {
  if (outcome.kind === 'timeout') return { kind: 'missing', why: `no ack within ${outcome.ms} ms` };
  if (outcome.kind === 'closed') return { kind: 'missing', why: `connection closed before the ack (${outcome.reason})` };
  if (outcome.args.length !== 1) return { kind: 'malformed', why: `ack carries ${outcome.args.length} arguments, expected 1`, raw: outcome.args };
  const raw = outcome.args[0];
  const envelope = AnyAck.safeParse(raw);
  if (!envelope.success) return { kind: 'malformed', why: `ack does not fit {ok, data} | {ok: false, error}: ${firstIssue(envelope.error)}`, raw };
  if (envelope.data.ok) {
    if (isClientEventName(event)) {
      const data = clientEvents[event].data.safeParse(envelope.data.data);
      if (!data.success) return { kind: 'malformed', why: `${event} ack data does not fit its schema: ${firstIssue(data.error)}`, raw };
      return { kind: 'ok', data: data.data };
    }
    return { kind: 'ok', data: envelope.data.data };
  }
  const error: ErrorBody = envelope.data.error;
  return { kind: 'error', code: error.code, message: error.message, retryAfterMs: error.retryAfterMs };
}

/** One line describing an ack reading, for evidence and messages. */
export function describeAck(r: AckReading): string {
  switch (r.kind) {
    case 'ok':
      return 'ok';
    case 'error':
      return `error ${r.code}${r.retryAfterMs !== undefined ? ` (retryAfterMs ${r.retryAfterMs})` : ''}`;
    case 'malformed':
      return `malformed ack: ${r.why}`;
    case 'missing':
      return `no ack: ${r.why}`;
  }
}

function firstIssue(err: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  const issue = err.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
