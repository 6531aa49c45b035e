import type { z } from 'zod';
import { clientEvents, type Ack, type ClientEventName } from '../../spec/index.ts';
import type { ServerConfig } from '../config.ts';
import type { HandlerTable } from './handler.ts';
import { handlers } from './handlers.ts';

/** A client's ack callback, as Socket.IO hands it over. */
export type AckFn = (response: unknown) => void;

/**
 * The parts the dispatch runs every client event through (ACK-1..6), composed once per node in
 * app.ts: the handler of each event, the schema its payload must pass at the edge (TEXT-6), the
 * in-flight cap of a socket (RATE-8), and how an answer goes back as the ack.
 */
export interface EventPipeline {
  readonly handlers: HandlerTable;
  payloadSchema(event: ClientEventName): z.ZodType;
  readonly inFlightMax: number;
  answer(ack: AckFn, response: Ack<unknown>): void;
}

export function eventPipeline(config: ServerConfig): EventPipeline {
  return {
    handlers,
    payloadSchema: (event) => clientEvents[event].payload,
    inFlightMax: config.socketBounds.inFlightMax,
    answer: (ack, response) => ack(response),
  };
}
