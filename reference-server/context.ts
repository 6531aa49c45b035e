import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../spec/index.ts';
import type { Identity } from './auth/identity.ts';
import type { TokenVerifier } from './auth/verifier.ts';
import type { ServerConfig } from './config.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { CrossNodeLink } from './cluster/cluster.ts';
import type { Breakers } from './resilience/breakers.ts';
import type { EventPipeline } from './events/pipeline.ts';
import type { Limits } from './resilience/rate-limits.ts';
import type { Sessions } from './state/sessions.ts';
import type { TypingTracker } from './state/typing.ts';
import type { Store } from './store/types.ts';

export interface SocketData {
  identity: Identity;
}

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Everything a handler may use, composed once in app.ts. */
export interface NodeContext {
  readonly config: ServerConfig;
  readonly log: Logger;
  readonly io: ChatServer;
  /** The store behind its circuit breaker: failures arrive as UNAVAILABLE. */
  readonly store: Store;
  readonly limits: Limits;
  readonly metrics: Metrics;
  readonly typing: TypingTracker;
  readonly sessions: Sessions;
  readonly breakers: Breakers;
  readonly verifier: TokenVerifier;
  /** How client events are validated, handled and answered. */
  readonly events: EventPipeline;
  readonly lifecycle: Lifecycle;
  /** The Redis link to the other nodes; undefined on a single node. */
  readonly crossNode?: CrossNodeLink;
}

/** One client event being handled: who sent it, on which socket. */
export interface Call {
  readonly socket: ChatSocket;
  readonly identity: Identity;
  readonly log: Logger;
}
