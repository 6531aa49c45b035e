import type { AckData, ClientEventName, Payload } from '../../spec/index.ts';
import type { Call, NodeContext } from '../context.ts';

/** A client event's handler: a validated payload in, the ack's data out, refusals thrown as AppError. */
export type Handler<E extends ClientEventName> = (ctx: NodeContext, call: Call, payload: Payload<E>) => Promise<AckData<E>>;

export type HandlerTable = { [E in ClientEventName]: Handler<E> };
