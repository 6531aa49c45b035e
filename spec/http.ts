import { z } from 'zod';
import { BreakerPolicy, PublishedRateLimitTable, PartialRateLimitTable, ATTACHMENT_MIME_TYPES } from './limits.ts';
import { ChannelId } from './events.ts';
import { UserId } from './auth.ts';

/** Paths of the spec's HTTP endpoints (HTTP-1). */
export const HTTP_PATHS = {
  health: '/health/socket',
  socketMetrics: '/metrics/socket',
  prometheus: '/metrics',
  breakers: '/status/circuit-breakers',
  recovery: '/admin/socket/recovery',
  spec: '/spec',
  adminChannels: '/admin/channels',
  adminLimits: '/admin/limits',
  adminFatal: '/admin/fatal',
} as const;

export const CheckStatus = z.enum(['up', 'down', 'degraded']);
export const HealthStatus = z.enum(['healthy', 'degraded', 'unhealthy']);

/** `GET /health/socket` (HLTH-1..3). */
export const HealthResponse = z.object({
  status: HealthStatus,
  checks: z.record(z.string(), z.object({ status: CheckStatus, detail: z.string().optional() })),
  uptimeSeconds: z.number().nonnegative(),
  draining: z.boolean(),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

const Counter = z.int().nonnegative();

/** `GET /metrics/socket` (MET-1). Counters only grow; gauges describe state now. */
export const SocketMetrics = z.object({
  totalConnections: Counter,
  activeConnections: Counter,
  failedConnections: Counter,
  messagesSent: Counter,
  messagesRejected: Counter,
  eventsProcessed: Counter,
  eventsRejected: Counter,
  rateLimited: Counter,
  circuitBreakerTrips: Counter,
  staleEntriesCleaned: Counter,
  redisReconnects: Counter,
  state: z.object({
    sockets: Counter,
    users: Counter,
    typing: Counter,
    presence: Counter,
    rooms: Counter,
  }),
  memory: z.object({ heapUsedBytes: Counter, rssBytes: Counter }),
  uptimeSeconds: z.number().nonnegative(),
  /** DEG-5: external dependencies (PostgreSQL, Redis) when configured: up now, outages since start. */
  dependencies: z.record(z.string(), z.object({ up: z.boolean(), outages: Counter, since: z.iso.datetime({ offset: true }) })).optional(),
  /** DEG-2: cross-node sends held while Redis is down (`buffered` now), `dropped` and `flushed` since start. */
  crossNode: z.object({ buffered: Counter, dropped: Counter, flushed: Counter }).optional(),
  /** DEG-4: look-ups answered from the cache while the database was unreachable. */
  staleLookups: Counter.optional(),
  /** RATE-7: sockets disconnected for holding more unsent bytes than published (optional for older servers). */
  slowConsumersDisconnected: Counter.optional(),
});
export type SocketMetrics = z.infer<typeof SocketMetrics>;
export type SocketCounterName = Exclude<keyof SocketMetrics, 'state' | 'memory' | 'uptimeSeconds' | 'activeConnections' | 'dependencies' | 'crossNode' | 'staleLookups'> | 'slowConsumersDisconnected';

export const BreakerState = z.enum(['closed', 'open', 'halfOpen']);
export type BreakerState = z.infer<typeof BreakerState>;

/** `GET /status/circuit-breakers` (BRK-3). */
export const BreakerStatus = z.object({
  state: BreakerState,
  failures: Counter,
  trips: Counter,
  since: z.iso.datetime({ offset: true }),
  policy: BreakerPolicy,
});
export type BreakerStatus = z.infer<typeof BreakerStatus>;
export const BreakersResponse = z.object({ breakers: z.record(z.string(), BreakerStatus) });
export type BreakersResponse = z.infer<typeof BreakersResponse>;

/** `POST /admin/socket/recovery` answer (BRK-5). */
export const RecoveryResponse = z.object({ ok: z.literal(true), breakers: z.record(z.string(), BreakerStatus) });

/** `GET /spec` (SPECDOC-1): what a harness reads before checking anything. */
export const SpecDocument = z.object({
  spec: z.literal('sockproof'),
  version: z.string(),
  implementation: z.object({ name: z.string(), version: z.string() }),
  transport: z.object({
    path: z.string(),
    transports: z.array(z.enum(['polling', 'websocket'])),
    maxHttpBufferSize: z.int().positive(),
    pingIntervalMs: z.int().positive(),
    pingTimeoutMs: z.int().positive(),
    connectTimeoutMs: z.int().positive(),
  }),
  limits: z.object({
    rateLimits: PublishedRateLimitTable,
    textMaxCodePoints: z.int().positive(),
    attachments: z.object({
      max: z.int().nonnegative(),
      maxBytes: z.int().positive(),
      mimeTypes: z.array(z.enum(ATTACHMENT_MIME_TYPES)),
    }),
    historyMaxLimit: z.int().positive(),
    typingTimeoutMs: z.int().positive(),
    /** RATE-7: a socket with more unsent outgoing bytes than this is disconnected (optional so an older server fails C30, not the harness). */
    outgoingBufferMaxBytes: z.int().positive().optional(),
    /** RATE-8: events of one socket received and not yet answered; past it, refused at once. */
    inFlightMax: z.int().positive().optional(),
    /** SES-9 (added in 1.0.1): the most broadcasts a node holds for connection state recovery; absent: not published. */
    recoveryBufferPackets: z.int().positive().optional(),
  }),
  breakers: BreakerPolicy,
  auth: z.object({ algorithms: z.array(z.string()), issuer: z.string().nullable(), audience: z.string().nullable() }),
  features: z.object({
    multiNode: z.boolean(),
    connectionStateRecovery: z.boolean(),
    durableStore: z.string(),
    /** FIX-3: false when the fixtures of FIX-1/FIX-2 are turned off (they answer 404); a document without it serves them. */
    fixtures: z.boolean().default(true),
    /** FIX-4 (added in 1.0.1): per-user relaxations of the limits are served (`PUT /admin/limits/relaxations/{id}`); absent: not. */
    limitRelaxations: z.boolean().optional(),
  }),
});
export type SpecDocument = z.infer<typeof SpecDocument>;

/**
 * Whether `features.durableStore` names a store inside the node's own process (SPECDOC-1), whose
 * outage makes the node unhealthy rather than degraded (HLTH-2). Any other name is an external store.
 */
export function isEmbeddedStore(durableStore: string): boolean {
  return durableStore === 'pglite' || durableStore === 'sqlite' || durableStore.startsWith('embedded');
}

/** `POST /admin/channels` (FIX-1): create or replace a channel. */
export const AdminChannelRequest = z.object({
  id: ChannelId,
  private: z.boolean().default(false),
  members: z.array(UserId).max(10_000).default([]),
});
export type AdminChannelRequest = z.infer<typeof AdminChannelRequest>;
export const AdminChannelResponse = z.object({
  channel: z.object({ id: ChannelId, private: z.boolean(), members: z.array(UserId) }),
  created: z.boolean(),
});

/** `POST /admin/fatal` (FIX-5): accepted (202); an exception outside any handler follows within `throwsInMs`. */
export const AdminFatalResponse = z.object({ throwsInMs: z.int().nonnegative().max(1_000) });
export type AdminFatalResponse = z.infer<typeof AdminFatalResponse>;

/** `PUT /admin/limits` (FIX-2): replace some rate limits at run time; `DELETE` restores the configured table. */
export const AdminLimitsRequest = PartialRateLimitTable;
export const AdminLimitsResponse = z.object({ rateLimits: PublishedRateLimitTable });
