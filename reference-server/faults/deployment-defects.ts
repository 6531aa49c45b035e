import type { Server } from 'node:http';
import type { ServerConfig } from '../config.ts';
import type { NodeContext } from '../context.ts';
import type { SessionStore } from '../connection/recovery.ts';
import type { MigrateOptions } from '../store/types.ts';
import type { ReconnectDelay } from '../cluster/reconnect-delay.ts';
import type { Faults, FaultName } from './catalogue.ts';
import type { NodeDefects } from './index.ts';
import {
  backoffNeverGrows,
  backoffWithoutJitter,
  dependencyFiguresFrozen,
  everyClientCounted,
  kickLocalOnly,
  lookupsNeverStale,
  migrationsRerun,
  recoveryOnOwnNodeOnly,
  redisBreakerUnlisted,
  refusedSendsReplayed,
  resetTimeoutIgnored,
  sendsRefusedWithoutRedis,
  storeAlwaysCritical,
  unavailableWithoutRetryAfter,
} from './dependency-clauses.ts';
import { closeListenerAndConnections, eventsBlindToDrain, exitAsSignalled, fatalThrownInHandler, graceOnly, historyCacheSurvivesRestart } from './drain-clauses.ts';

/** The seams only the deployment, drain and restart defects use (app.ts, main.ts apply them). */
export interface DeploymentSeams {
  /** The context client events are dispatched with (`drain-serves-new-events`: one whose events never see the drain). */
  sessionContext(ctx: NodeContext): NodeContext;
  /** How the drain stops the HTTP listener (HLTH-3: open connections still answered; `drain-drops-open-requests`: destroyed). */
  closeListener(server: Server): void;
  /** The exit code of a drain that finished in time (OPS-2: 0; `drain-exits-143`: 143). */
  drainedExit(code: 0): number;
  /** The dependencies whose outage makes health unhealthy (HLTH-2: the embedded store only). */
  healthCritical(critical: string[]): string[];
  /** The look-up cache's bounds (DEG-4; `lookups-never-stale`: entries never young enough). */
  lookupCache<C extends { ttlMs: number }>(cache: C): C;
  /** Whether a Redis client's re-established connection counts in redisReconnects (DEG-6: the node's own client only). */
  reconnectCounted(client: string): boolean;
  /** The Redis clients' reconnect delay (DEG-6: exponential from REDIS_RECONNECT_MIN_MS with up to 20 % jitter). */
  reconnectDelay(delay: ReconnectDelay): ReconnectDelay;
  /** The adapter whose held sessions recovery restores (`recovery-on-own-node-only`: those dropped from this node). */
  sessionStore<S extends SessionStore>(adapter: S): S;
  /** The configuration the store is opened with (read by `history-cache-survives-restart` for its DATA_DIR). */
  storeConfig(config: ServerConfig): ServerConfig;
  /** How the store migrates at start-up (`migrations-rerun`: every migration again, applied or not). */
  migrateOptions(opts: MigrateOptions): MigrateOptions;
  /** How the drain waits for in-flight events (OPS-2: until they settle or the timeout; `drain-skips-in-flight`: not at all). */
  inFlightWait(idle: (timeoutMs: number) => Promise<boolean>): (timeoutMs: number) => Promise<boolean>;
}

/** The clean build's seams: identities. */
export const CLEAN_DEPLOYMENT_SEAMS: DeploymentSeams = {
  sessionContext: (ctx) => ctx,
  closeListener: (server) => void server.close(),
  drainedExit: (code) => code,
  healthCritical: (critical) => critical,
  lookupCache: (cache) => cache,
  reconnectCounted: (client) => client === 'app',
  reconnectDelay: (delay) => delay,
  sessionStore: (adapter) => adapter,
  storeConfig: (config) => config,
  migrateOptions: (opts) => opts,
  inFlightWait: (idle) => idle,
};

/**
 * The faulty builds of the deployment, drain and restart clauses (issue 13, h-clauses2), applied on top of
 * the other defects as withClauseDefects is: each changes one component, nothing else knows.
 */
export function withDeploymentDefects(faults: Faults, base: NodeDefects): NodeDefects {
  const on = (name: FaultName) => faults.has(name);
  let dataDir = '.';
  return {
    ...base,
    sessionContext: (ctx) => (on('drain-serves-new-events') ? eventsBlindToDrain(base.sessionContext(ctx)) : base.sessionContext(ctx)),
    closeListener: (server) => (on('drain-drops-open-requests') ? closeListenerAndConnections(server) : base.closeListener(server)),
    drainedExit: (code) => (on('drain-exits-143') ? exitAsSignalled(code) : base.drainedExit(code)),
    healthCritical: (critical) => (on('external-store-down-unhealthy') ? storeAlwaysCritical(base.healthCritical(critical)) : base.healthCritical(critical)),
    lookupCache: (cache) => (on('lookups-never-stale') ? lookupsNeverStale(base.lookupCache(cache)) : base.lookupCache(cache)),
    reconnectCounted: (client) => (on('reconnects-counted-per-client') ? everyClientCounted(client) : base.reconnectCounted(client)),
    reconnectDelay(delay) {
      let d = base.reconnectDelay(delay);
      if (on('reconnect-without-backoff')) d = backoffNeverGrows(d);
      if (on('reconnect-without-jitter')) d = backoffWithoutJitter(d);
      return d;
    },
    sessionStore: (adapter) => (on('recovery-on-own-node-only') ? recoveryOnOwnNodeOnly(base.sessionStore(adapter)) : base.sessionStore(adapter)),
    storeConfig(config) {
      dataDir = config.dataDir;
      return base.storeConfig(config);
    },
    store: (store) => (on('history-cache-survives-restart') ? historyCacheSurvivesRestart(base.store(store), () => dataDir) : base.store(store)),
    migrateOptions: (opts) => (on('migrations-rerun') ? migrationsRerun(base.migrateOptions(opts)) : base.migrateOptions(opts)),
    inFlightWait: (idle) => (on('drain-skips-in-flight') ? graceOnly : base.inFlightWait(idle)),
    breakerPolicy: (policy) => (on('breaker-reset-timeout-ignored') ? resetTimeoutIgnored(base.breakerPolicy(policy)) : base.breakerPolicy(policy)),
    events(pipeline) {
      let p = base.events(pipeline);
      const h = p.handlers;
      if (on('kick-local-only')) p = { ...p, handlers: { ...p.handlers, 'moderation:kick': kickLocalOnly(h['moderation:kick']) } };
      const send = p.handlers['message:send'];
      let changed = send;
      if (on('sends-refused-without-redis')) changed = sendsRefusedWithoutRedis(changed);
      if (on('unavailable-without-retry-after')) changed = unavailableWithoutRetryAfter(changed);
      if (on('refused-sends-replayed')) changed = refusedSendsReplayed(changed);
      return changed === send ? p : { ...p, handlers: { ...p.handlers, 'message:send': changed } };
    },
    routes(ctx, routes) {
      let r = base.routes(ctx, routes);
      if (on('dependency-figures-frozen')) r = r.map(dependencyFiguresFrozen);
      if (on('redis-breaker-unlisted')) r = r.map(redisBreakerUnlisted);
      if (on('fatal-thrown-in-handler')) r = r.map((route) => fatalThrownInHandler(ctx, route));
      return r;
    },
  };
}
