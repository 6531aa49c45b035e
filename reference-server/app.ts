import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Server } from 'socket.io';
import type { HealthResponse } from '../spec/index.ts';
import { JwksKeys } from './auth/jwks-keys.ts';
import { createVerifier } from './auth/verifier.ts';
import { openCluster, type Cluster } from './cluster/cluster.ts';
import { reconnectDelay } from './cluster/reconnect-delay.ts';
import type { ServerConfig } from './config.ts';
import { endLocalSession } from './connection/end-session.ts';
import { handshakeMiddleware } from './connection/handshake.ts';
import { RecoveryGate, type SessionStore } from './connection/recovery.ts';
import { boundedSessionAdapter } from './connection/recovery-buffer.ts';
import { capOutput } from './connection/output-cap.ts';
import { coalesceWrites, flushOncePerTurn } from './connection/coalesce-writes.ts';
import { startSession } from './connection/session.ts';
import type { ChatServer, NodeContext } from './context.ts';
import { eventPipeline } from './events/pipeline.ts';
import { announceTypingEnded } from './events/typing.ts';
import { defectsFor, type Faults, type SocketHook } from './faults/index.ts';
import { adminRoutes } from './http/admin-routes.ts';
import { observabilityRoutes, type DependencyCheck } from './http/observability-routes.ts';
import { createRouter } from './http/router.ts';
import { specRoute } from './http/spec-route.ts';
import { CloseHooks } from './close-hooks.ts';
import { Lifecycle } from './lifecycle.ts';
import { listen } from './listen.ts';
import type { Logger } from './logger.ts';
import { Metrics } from './metrics.ts';
import { retryAfterOpen } from './resilience/breaker.ts';
import { Breakers } from './resilience/breakers.ts';
import { withCachedLookups } from './resilience/cached-lookups.ts';
import { DependencyMonitor, probeEvery } from './resilience/dependency-monitor.ts';
import { guardStore } from './resilience/guarded-store.ts';
import { memoryLimiter, RateLimits } from './resilience/rate-limits.ts';
import { redisLimiters } from './resilience/redis-limiter.ts';
import { RelaxationTable } from './resilience/relaxation-table.ts';
import { Relaxations } from './resilience/relaxations.ts';
import { redisRelaxationShare } from './cluster/shared-relaxations.ts';
import { relaxationRoutes } from './http/relaxation-routes.ts';
import { CHANNEL_ROOM_PREFIX } from './rooms.ts';
import { Sessions } from './state/sessions.ts';
import { startSweeper } from './state/sweeper.ts';
import { TypingTracker } from './state/typing.ts';
import { openStore } from './store/open-store.ts';
import { classifyStoreError } from './store/store-errors.ts';

export const DEFAULT_CHANNEL = 'general';
/** How long a drain waits for clients to take their last packets (a polling client's next poll). */
const CLIENT_FLUSH_MS = 1_500;
/**
 * After draining starts, events already on the wire still arrive for a moment: they are read
 * and answered UNAVAILABLE, a clear answer, instead of being cut off unread (OPS-2).
 */
const DRAIN_GRACE_MS = 250;

export interface NodeOptions {
  config: ServerConfig;
  log: Logger;
  /** The HS256 secret (from JWT_SECRET or DATA_DIR) when tokens are verified with a secret. */
  secret: string | undefined;
  /** Deliberate defects (SOCKPROOF_FAULTS), applied to the components below by faults/. */
  faults: Faults;
  version: string;
}

export interface ChatNode {
  readonly port: number;
  readonly ctx: NodeContext;
  /** Drains and closes (OPS-2); resolves true when in-flight work finished within the timeout. */
  close(timeoutMs: number): Promise<boolean>;
}

/** Composes one chat node: store, breakers, limits, Socket.IO, HTTP routes, sweeper. */
export async function startNode({ config, log, secret, faults, version }: NodeOptions): Promise<ChatNode> {
  const startedAt = Date.now();
  const closing = new CloseHooks();
  const defects = defectsFor(faults);
  const rawStore = await openStore(defects.storeConfig(config));
  closing.add('store', () => rawStore.close());
  await rawStore.migrate(defects.migrateOptions({}));
  if (!(await rawStore.getChannel(DEFAULT_CHANNEL))) await rawStore.upsertChannel(DEFAULT_CHANNEL, false, []);

  // An external database is shared by the nodes: its outage is the cluster's, not this node's (HLTH-2).
  const externalStore = rawStore.kind === 'postgres';
  const monitor = new DependencyMonitor(log);
  let metrics: Metrics | undefined;
  const cluster: Cluster | undefined = config.redisUrl
    ? openCluster({ ...config, redis: { ...config.redis, crossNodeBufferMax: defects.crossNodeBufferMax(config.redis.crossNodeBufferMax) } }, log, {
        reconnected: (client) => {
          if (defects.reconnectCounted(client)) metrics?.inc('redisReconnects');
          log.info({ redisClient: client }, 'redis reconnected');
        },
        linkChanged: (up) => monitor.report('redis', up),
        dropped: (reason) => log.warn({ reason }, 'cross-node send dropped'),
      }, defects.reconnectDelay(reconnectDelay))
    : undefined;
  if (cluster) {
    closing.add('cluster', () => cluster.close());
    monitor.track('redis');
    if (!(await cluster.ready(config.dependencyTimeoutMs))) {
      monitor.report('redis', false);
      log.warn('redis unreachable at start-up: serving this node only until it returns');
    }
  }

  // Late-bound so the HTTP server exists before Socket.IO attaches to it (it forwards other paths).
  let route: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async () => {};
  const httpServer = createServer((req, res) => void route(req, res));
  // One node: Socket.IO's in-memory session adapter with the recovery buffer bounded (SES-9).
  const adapter = defects.crossNodeAdapter(cluster?.adapter, config.dataDir) ?? defects.recoveryBuffer(boundedSessionAdapter, config.recoveryBufferPackets);
  const io: ChatServer = new Server(httpServer, defects.socketIoOptions({
    adapter,
    // SES-4 / NODE-3: in memory on one node, in Redis across nodes. A recovering socket passes the
    // handshake middleware again: token, ban and limits are re-checked; the RecoveryGate below then
    // restores the session itself, for its own user only (SES-5..8).
    connectionStateRecovery: { maxDisconnectionDuration: config.recoveryWindowMs, skipMiddlewares: false },
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: config.transport.maxHttpBufferSize,
    pingInterval: config.transport.pingIntervalMs,
    pingTimeout: config.transport.pingTimeoutMs,
    connectTimeout: config.transport.connectTimeoutMs,
    ...(config.allowedOrigins ? { cors: { origin: config.allowedOrigins } } : {}),
    allowRequest: (req, callback) => callback(null, originAllowed(config.allowedOrigins, req.headers.origin)),
  }));

  const sessions = new Sessions();
  let typing: TypingTracker;
  metrics = new Metrics(() => ({
    activeConnections: io.of('/').sockets.size,
    sockets: sessions.socketCount,
    users: sessions.userCount,
    typing: typing.size,
    presence: sessions.userCount,
    rooms: [...io.of('/').adapter.rooms.keys()].filter((r) => r.startsWith(CHANNEL_ROOM_PREFIX)).length,
  }));
  const breakers = new Breakers(defects.breakerPolicy(config.breakerPolicy), config.dependencyTimeoutMs, (name) => {
    metrics.inc('circuitBreakerTrips');
    log.warn({ breaker: name }, 'circuit breaker opened');
  }, defects.breakerRetryAfter(retryAfterOpen));
  closing.add('breakers', () => breakers.shutdown());
  // BRK-6: the store's refusals of the caller's input never count for its breaker.
  const storeInputErrors = defects.storeInputErrors((err: unknown) => classifyStoreError(err) === 'input');
  const guarded = guardStore(rawStore, breakers.create('store', storeInputErrors));
  let staleLookups = 0;
  const store = defects.store(externalStore ? withCachedLookups(guarded, defects.lookupCache(config.lookupCache), () => staleLookups++) : guarded);
  const limitsLink = defects.sharedLimitsLink(cluster);
  const shared = limitsLink ? redisLimiters(limitsLink.app, config.redis.keyPrefix, breakers.create('redis'), defects.limitsWithoutRedis(memoryLimiter)) : undefined;
  // FIX-4: relaxations for named users, in memory on every node, shared through Redis when there is one.
  const relaxationTable = new RelaxationTable(defects.relaxationClock(Date.now));
  const relaxationLink = defects.sharedRelaxationsLink(cluster);
  const relaxations = new Relaxations(relaxationTable, relaxationLink ? redisRelaxationShare(relaxationLink.app, config.redis.keyPrefix) : undefined);
  closing.add('relaxations', relaxations.start());
  const trustProxy = defects.trustProxy(config.trustProxy);
  if (externalStore) {
    closing.add('store probe', probeEvery(config.probeIntervalMs, config.dependencyTimeoutMs, () => rawStore.ping(), (up) => monitor.report('store', up)));
    monitor.track('store');
  }
  if (cluster || externalStore) {
    metrics.withDegradation(() => ({
      dependencies: monitor.snapshot(),
      ...(cluster ? { crossNode: cluster.relayStats() } : {}),
      ...(externalStore ? { staleLookups } : {}),
    }));
  }
  // BRK-1, BRK-7: the key set is read through its own breaker, the last good one kept.
  const { auth } = config;
  const jwksKeys =
    auth.kind === 'jwks'
      ? defects.jwksKeys(auth.jwksUrl, () => new JwksKeys(auth.jwksUrl, breakers.create('jwks'), (err) => log.warn({ breaker: 'jwks', err: String(err) }, 'key set not refreshed: the last good one stays in use')).getKey)
      : undefined;
  const ctx: NodeContext = {
    config,
    log,
    io,
    store,
    limits: defects.limits(new RateLimits(config.rateLimits, shared?.factory ?? memoryLimiter, shared?.reset, defects.relaxationLookup(relaxationTable)), metrics),
    metrics,
    typing: (typing = new TypingTracker(defects.typingTimeoutMs(config.typingTimeoutMs), (entry) => {
      metrics.inc('staleEntriesCleaned');
      announceTypingEnded(ctx, entry);
    })),
    sessions,
    breakers,
    verifier: createVerifier(defects.verifierAuth(config.auth), { secret, jwks: jwksKeys }, defects.tokenClaims),
    events: defects.events(eventPipeline(config)),
    lifecycle: new Lifecycle(),
    ...(cluster ? { crossNode: cluster } : {}),
  };

  // Socket.IO's own restore runs before any middleware; the gate takes it over (SES-6..8).
  const recoveryPolicy = defects.recovery({ bindUser: true, reauthorise: true });
  const recovery = recoveryPolicy && RecoveryGate.seal(defects.sessionStore(io.of('/').adapter as unknown as SessionStore), recoveryPolicy);
  io.use(handshakeMiddleware(defects.handshakeContext(ctx), recovery, trustProxy));
  const socketHooks: SocketHook[] = defects.socketHooks([capOutput, coalesceWrites, flushOncePerTurn]); // RATE-7; then a socket's writes of a turn in one writev
  const sessionCtx = defects.sessionContext(ctx);
  io.on('connection', (socket) => {
    startSession(sessionCtx, socket);
    for (const hook of socketHooks) hook(ctx, socket);
    recovery?.deliverMissed(ctx, socket);
  });

  const checks: Record<string, DependencyCheck> = {
    store: async (): Promise<HealthResponse['checks'][string]> => {
      try {
        await store.ping();
        return { status: 'up' };
      } catch (err) {
        return { status: 'down', detail: (err as Error).message };
      }
    },
    ...(cluster ? { redis: () => cluster.check() } : {}),
  };
  // HLTH-2: only a dependency a restart could fix makes the node unhealthy.
  const critical = defects.healthCritical(externalStore ? [] : ['store']);
  route = createRouter(
    defects.routes(ctx, [
      ...observabilityRoutes(ctx, startedAt, checks, critical, async () => {
        breakers.resetAll();
        cluster?.reconnectNow();
      }),
      specRoute(ctx, version, { multiNode: cluster !== undefined, connectionStateRecovery: true, durableStore: rawStore.kind, fixtures: config.adminFixtures, limitRelaxations: config.adminFixtures }),
      // FIX-3: with the fixtures off their paths do not exist (404), whoever asks.
      ...(defects.adminFixtures(config.adminFixtures) ? [...adminRoutes(ctx), ...relaxationRoutes(ctx, defects.relaxationsServed(relaxations), trustProxy)] : []),
    ]),
    log,
  );

  closing.add('typing timers', () => typing.clear());
  closing.add('sweeper', startSweeper(ctx, defects.sweepLiveness));
  const port = await listen(httpServer, defects.listenAt(config.listen));
  const drainedSessionEnd = defects.drainedSessionEnd(endLocalSession);

  return {
    port,
    ctx,
    async close(timeoutMs) {
      // Drain first (OPS-2): no new connections, in-flight work finished, every client told; then every
      // resource closes, last opened first.
      ctx.lifecycle.draining = true;
      defects.closeListener(httpServer); // no new connections; existing ones may still send (and get UNAVAILABLE)
      await new Promise((r) => setTimeout(r, Math.min(DRAIN_GRACE_MS, timeoutMs)));
      const drained = await defects.inFlightWait((ms) => ctx.lifecycle.idle(ms))(Math.max(0, timeoutMs - DRAIN_GRACE_MS));
      for (const socket of io.of('/').sockets.values()) {
        // Engine.IO flushes what is queued, then closes the transport: clients see a
        // transport close and reconnect by themselves (OPS-2a).
        drainedSessionEnd(ctx, socket, { code: 'UNAVAILABLE', message: 'server shutting down', retryAfterMs: 1_000 }, 'transport');
      }
      // A polling client gets its last packets on its next poll; io.close() would discard them.
      await waitUntil(() => io.engine.clientsCount === 0, CLIENT_FLUSH_MS);
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
        // Backstop for connections that do not close by themselves (idle polling requests).
        setTimeout(() => httpServer.closeAllConnections(), 500).unref();
      });
      await closing.closeAll(log);
      return drained;
    },
  };
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** TRN-7: with ALLOWED_ORIGINS set, a browser's Origin must be listed; non-browser clients send none. */
function originAllowed(allowed: string[] | undefined, origin: string | undefined): boolean {
  if (!allowed || origin === undefined || allowed.includes('*')) return true;
  return allowed.includes(origin);
}
