import fc from 'fast-check';
import { CLIENT_EVENT_NAMES } from '../events.ts';

/**
 * Arbitrary JSON as the payload of any event (ACK-6): known event names and random ones, one or
 * several arguments. Whatever arrives, the target must stay up and answer with an ack of the spec's shape.
 */
export interface RobustnessCase {
  event: string;
  args: unknown[];
}

/** Names Socket.IO itself reserves: its parser refuses to send them. */
const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
const eventName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...CLIENT_EVENT_NAMES) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 20 }).filter((n) => !RESERVED.has(n)) });
const json = fc.jsonValue({ maxDepth: 4 });
/** Payloads that are shaped like the spec's, with wrong types inside: what reaches a handler's deeper code. */
const nearMiss = fc.record(
  {
    channelId: json,
    text: json,
    clientMsgId: json,
    messageId: json,
    status: json,
    userId: json,
    reason: json,
    attachments: json,
    limit: json,
    beforeSeq: json,
    durationMs: json,
  },
  { requiredKeys: [] },
);

export const robustnessCase: fc.Arbitrary<RobustnessCase> = fc.record({
  event: eventName,
  args: fc.oneof({ weight: 3, arbitrary: fc.tuple(fc.oneof(json, nearMiss)).map((a) => [...a] as unknown[]) }, { weight: 1, arbitrary: fc.array(json, { maxLength: 3 }) }),
});
