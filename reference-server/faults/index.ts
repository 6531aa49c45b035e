import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { ServerOptions } from 'socket.io';
import { AdminChannelRequest, HTTP_PATHS, TokenClaims, type BreakerPolicy } from '../../spec/index.ts';
import { redactUrlsIn } from '../../spec/redact.ts';
import { capOutput } from '../connection/output-cap.ts';
import type { TrustProxy } from '../connection/client-address.ts';
import type { GateOptions } from '../connection/recovery.ts';
import type { boundedSessionAdapter } from '../connection/recovery-buffer.ts';
import { SessionAwareAdapter } from 'socket.io-adapter';
import { resumesAfterTrim } from './recovery-buffer.ts';
import type { ChatSocket, NodeContext } from '../context.ts';
import type { EventPipeline } from '../events/pipeline.ts';
import type { Route } from '../http/router.ts';
import type { Limits, RelaxationLookup } from '../resilience/rate-limits.ts';
import type { RelaxationTable } from '../resilience/relaxation-table.ts';
import type { Store } from '../store/types.ts';
import type { Faults } from './catalogue.ts';
import { withClauseDefects } from './clause-defects.ts';
import { withSingleNodeClauseDefects } from './single-node-clause-defects.ts';
import { ackBeforeDurable, crashOnBadPayload, dropBanReason, throwingHistory, wrongErrorShape } from './events.ts';
import { historyUnlimited, unenforced } from './limits.ts';
import { numberByArrival } from './arrival-seq.ts';
import { SHORT_SUB_TOKEN_CLAIMS, UNVALIDATED_ADMIN_CHANNEL, UNVALIDATED_TOKEN_CLAIMS, unvalidatedPayload } from './loose-schemas.ts';
import { channelFixtureRoute } from '../http/admin-routes.ts';
import { replaceRoute, specWithFaults } from './routes.ts';
import { withBlacklistSanitizer, withoutBans, withoutIdempotency, withReorderedHistory } from './store.ts';
import {
  bodyLimitBeforeAuth,
  editBeforeDurable,
  joinAnnouncesOnline,
  kickNotifiesEverySocket,
  limitsPerConnection,
  presenceSkipsOwnSockets,
  TOKEN_NAME_CUT_CLAIMS,
  typingLooksUpChannel,
  typingStopNeedsMembership,
} from './silent-points.ts';
import { countCallbacklessEvents, countRefusedHandshakes } from './rate-limit-counting.ts';
import { bodyTooLargeOwnCode, channelFixtureAlways201, healthIgnoresDraining, prometheusFiguresStale } from './http-answers.ts';
import { ACCEPT_SHORT_SECRET, anyFreePort } from './start-up.ts';
import { hardcodedTypingTimeout, invisiblePublished, typingWithoutMembership } from './presence-and-typing.ts';
import { EXPIRY_NOT_ENFORCED_CLAIMS, handshakeBlindToDrain, limitAfterToken } from './session-rules.ts';
import { editByAnyone, editIgnoresChannelAccess } from './message-access.ts';
import { extraAttachmentsDropped, rawTextUnbounded, strictPayloads, textLengthInUtf16 } from './payload-rules.ts';
import { adminAnyRole, operatorEndpointOpen } from './admin-access.ts';
import { recoveryKeepsBreakersOpen } from './recovery-route.ts';
import {
  historyIgnoresPrivacy,
  kickCountsAllSockets,
  kickKeepsMembership,
  kickWithoutRole,
  membershipPerUser,
  privateChannelsOpen,
  selfModerationAllowed,
} from './roles-and-membership.ts';
import { banWithoutEnd, historyOldestFirst } from './store-reads.ts';
import { defaultConnectTimeout, defaultHeartbeat } from './transport-settings.ts';
import { disconnectWhenLimited, editNotBroadcast, endSessionsSilently, skipAuthorEcho } from './outgoing-events.ts';
import { countRepeats, globalIdempotencyKeys } from './counting-and-keys.ts';
import { ANY_ROLES_CLAIMS, hmacAlgorithmsOpen, logHandshakeTokens } from './auth-checks.ts';
import { consoleLogOnConnect, handshakeLoggedWithoutContext } from './logging.ts';
import { leaveUnknownOk } from './channel-answers.ts';
import { typingEchoesTypist, typingStopSilent } from './presence-and-typing.ts';
import { deleteIgnored } from './relaxation-delete.ts';
import { endWithSocketIoDisconnect } from './drain.ts';
import { adapterOnFirstStartOnly } from './restart-adapter.ts';
import { NodesSeen } from './send-waits-for-nodes.ts';
import type { endLocalSession } from '../connection/end-session.ts';
import type { Relaxations } from '../resilience/relaxations.ts';
import type { Metrics } from '../metrics.ts';
import type { ServerConfig } from '../config.ts';
import type { RetryAfterOpen } from '../resilience/breaker.ts';
import type { LimiterFactory } from '../resilience/rate-limits.ts';
import { failOpenLimiter, retryAfterZeroHalfOpen, withoutIssuerAudience } from './unobserved-clauses.ts';
import { CLEAN_DEPLOYMENT_SEAMS, withDeploymentDefects, type DeploymentSeams } from './deployment-defects.ts';

export { FaultName, Faults } from './catalogue.ts';

/** Something done to every new socket once its session started (RATE-7's output cap is one). */
export type SocketHook = (ctx: NodeContext, socket: ChatSocket) => void;

/**
 * How the deliberate defects change a node: each member takes a real component (or its options)
 * and gives back the one to use. The clean build's are identities. app.ts and main.ts apply them
 * where they compose the node; no other code knows that faults exist.
 */
export interface NodeDefects extends DeploymentSeams {
  /** The environment loadConfig reads (`port-ignored`, `data-dir-ignored` and the like: a variable left out or replaced). */
  configEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** loadConfig's options (`unredacted-urls`, `short-secret-accepted`). */
  readonly configOptions: { revealUrls?: boolean; acceptShortSecret?: boolean };
  /** Where a configuration error's line goes (OPS-1: standard error; `config-error-on-stdout`: standard output). */
  readonly configErrorOut: { write(line: string): unknown };
  /** How a configuration error is shown (`unredacted-urls`: as loadConfig made it). */
  redact(message: string): string;
  socketIoOptions(options: Partial<ServerOptions>): Partial<ServerOptions>;
  /** The policy the breakers run with; GET /spec keeps publishing the configured one. */
  breakerPolicy(policy: BreakerPolicy): BreakerPolicy;
  storeInputErrors(classify: (err: unknown) => boolean): ((err: unknown) => boolean) | undefined;
  /** The Redis link the rate limits are shared through; undefined keeps them on this node. */
  sharedLimitsLink<T>(link: T | undefined): T | undefined;
  /** The Redis link FIX-4's relaxations are shared through (`relaxation-local-only`: none). */
  sharedRelaxationsLink<T>(link: T | undefined): T | undefined;
  /** The clock a node judges relaxations' expiry by (`relaxation-never-expires`: one that stands still). */
  relaxationClock(now: () => number): () => number;
  /** The relaxations FIX-4's routes change (`relaxation-delete-ignored`: a DELETE that ends nothing). */
  relaxationsServed(relaxations: Relaxations): Relaxations;
  /** Who a relaxation covers (`relaxation-for-everyone`: anyone, whatever it lists). */
  relaxationLookup(table: RelaxationTable): RelaxationLookup;
  /** How many cross-node sends per channel are held while Redis is down (DEG-2; `drops-held-sends`: none). */
  crossNodeBufferMax(max: number): number;
  store(store: Store): Store;
  /** The rate limits in force; `metrics` for a defect that counts where it should not (`refused-handshake-rate-limited`). */
  limits(limits: Limits, metrics: Pick<Metrics, 'inc'>): Limits;
  readonly tokenClaims: typeof TokenClaims;
  events(pipeline: EventPipeline): EventPipeline;
  /** The recovery gate's policy; undefined leaves Socket.IO's own recovery in place. */
  recovery(policy: GateOptions): GateOptions | undefined;
  /**
   * The one-node adapter holding broadcasts for recovery, SES-9 (`recovery-buffer-unbounded`: Socket.IO's
   * own, which keeps the whole window; `recovery-resumes-after-trim`: bounded, but resumes with a gap).
   */
  recoveryBuffer(bounded: typeof boundedSessionAdapter, maxPackets: number): typeof SessionAwareAdapter;
  socketHooks(hooks: SocketHook[]): SocketHook[];
  routes(ctx: NodeContext, routes: Route[]): Route[];
  /** The JWKS key getter (`jwks-no-breaker`: jose's remote key set, read with no breaker and no last good set of its own). */
  jwksKeys(url: string, keys: () => JWTVerifyGetKey): JWTVerifyGetKey;
  /** Whether the fixture routes are mounted (`fixtures-always-on`: whatever ADMIN_FIXTURES says, while GET /spec states the setting). */
  adminFixtures(configured: boolean): boolean;
  /** How the drain ends each local session (OPS-2a: at the transport; `drain-leaves-transport-open`: a Socket.IO disconnect). */
  drainedSessionEnd(end: typeof endLocalSession): typeof endLocalSession;
  /** How the sweep tells a live socket (SES-3; `sweep-removes-live-state`: every socket is gone). */
  sweepLiveness(isConnected: (socketId: string) => boolean): (socketId: string) => boolean;
  /** The exit code of a drain that did not finish in time (OPS-2: 1; `drain-timeout-exits-zero`: 0). */
  drainTimeoutExit(code: 1): number;
  /** How the process ends after an exception outside any handler (OPS-4: exit 1); 'keep-running' (`fatal-swallowed`) does not end it. */
  fatalExit(code: 1): number | 'keep-running';
  /** The cross-node adapter Socket.IO runs with (`restart-skips-adapter`: none after a restart in the same DATA_DIR). */
  crossNodeAdapter<A>(adapter: A | undefined, dataDir: string): A | undefined;
  /** Whose X-Forwarded-For the handshake believes (`trust-any-forwarded`: the nearest hop's, even with TRUST_PROXY unset). */
  trustProxy(trust: TrustProxy): TrustProxy;
  /** Where the node listens (`port-range-ignored`: any free port instead of the range, OPS-5). */
  listenAt(where: ServerConfig['listen']): ServerConfig['listen'];
  /** The fields of the `listening` line (`listening-line-without-port`: no port, OPS-5). */
  listeningLine<T extends { port: number }>(fields: T): Partial<T>;
  /** How long a typing indicator lasts (`typing-timeout-hardcoded`: the spec default, whatever is configured). */
  typingTimeoutMs(configured: number): number;
  /** The context the handshake middleware sees (`draining-accepts-handshakes`: one that never drains). */
  handshakeContext(ctx: NodeContext): NodeContext;
  /** BRK-4's retryAfterMs for a call an open breaker refuses (`retry-after-zero-half-open`: 0 during the trial). */
  breakerRetryAfter(rule: RetryAfterOpen): RetryAfterOpen;
  /** The limiters that count while Redis is unreachable (DEG-3; `limits-open-without-redis`: none, every call passes). */
  limitsWithoutRedis(insurance: LimiterFactory): LimiterFactory;
  /** The auth settings the token verifier is built with (`issuer-audience-ignored`: without iss and aud). */
  verifierAuth(auth: ServerConfig['auth']): ServerConfig['auth'];
}

/**
 * NODE_ENV=production refuses any SOCKPROOF_FAULTS, even an unknown name: a defect meant to prove
 * a check can fail must never serve real users. The one line to stop with, or undefined.
 */
export function refusalInProduction(env: NodeJS.ProcessEnv): string | undefined {
  const faults = env.SOCKPROOF_FAULTS?.trim();
  if (env.NODE_ENV !== 'production' || !faults) return undefined;
  return 'SOCKPROOF_FAULTS is set but NODE_ENV is production: deliberate defects are for test builds only; unset one of them';
}

/** The one place that reads which faults are on and turns them into changes to real components. */
export function defectsFor(faults: Faults): NodeDefects {
  const on = (name: Parameters<Faults['has']>[0]) => faults.has(name);
  const unvalidated = on('unvalidated-store-input');
  const perConnection = on('limits-reset-on-reconnect') ? limitsPerConnection() : undefined;
  const nodesSeen = on('send-waits-for-every-node') ? new NodesSeen() : undefined;
  return withDeploymentDefects(faults, withSingleNodeClauseDefects(faults, withClauseDefects(faults, {
    ...CLEAN_DEPLOYMENT_SEAMS,
    configEnv: (env) => env,
    configOptions: { ...(on('unredacted-urls') ? { revealUrls: true } : {}), ...(on('short-secret-accepted') ? ACCEPT_SHORT_SECRET : {}) },
    redact: on('unredacted-urls') ? (message) => message : redactUrlsIn,
    configErrorOut: on('config-error-on-stdout') ? process.stdout : process.stderr,
    socketIoOptions(options) {
      let o = options;
      if (on('recovery-skips-auth')) o = { ...o, connectionStateRecovery: { ...o.connectionStateRecovery, skipMiddlewares: true } };
      if (on('heartbeat-not-as-published')) o = defaultHeartbeat(o);
      if (on('connect-timeout-not-as-published')) o = defaultConnectTimeout(o);
      // TRN-7: the CORS headers still follow ALLOWED_ORIGINS, but every handshake is let in whatever its Origin.
      if (on('origins-not-checked')) o = { ...o, allowRequest: (_req, callback) => callback(null, true) };
      return o;
    },
    breakerPolicy: (policy) => (on('breaker-never-opens') ? { ...policy, failureThreshold: Number.MAX_SAFE_INTEGER } : policy),
    storeInputErrors: (classify) => (unvalidated ? undefined : classify),
    sharedLimitsLink: (link) => (on('local-rate-limits') ? undefined : link),
    crossNodeBufferMax: (max) => (on('drops-held-sends') ? 0 : max),
    sharedRelaxationsLink: (link) => (on('relaxation-local-only') ? undefined : link),
    relaxationClock: (now) => (on('relaxation-never-expires') ? () => 0 : now),
    relaxationsServed: (relaxations) => (on('relaxation-delete-ignored') ? deleteIgnored(relaxations) : relaxations),
    relaxationLookup: (table) => (on('relaxation-for-everyone') ? (name) => table.anyFor(name) : (name, key) => table.ruleFor(name, key)),
    store(store) {
      let s = store;
      if (on('no-idempotency')) s = withoutIdempotency(s);
      if (on('no-ban-check')) s = withoutBans(s);
      if (on('blacklist-sanitizer')) s = withBlacklistSanitizer(s);
      if (on('edit-ack-before-durable')) s = editBeforeDurable(s);
      if (on('reordered-seq')) s = withReorderedHistory(s);
      if (on('kick-keeps-membership')) s = kickKeepsMembership(s);
      if (on('history-oldest-first')) s = historyOldestFirst(s);
      if (on('ban-retry-after-missing')) s = banWithoutEnd(s);
      if (on('idempotency-keys-global')) s = globalIdempotencyKeys(s);
      return s;
    },
    limits(limits, metrics) {
      let l = limits;
      if (on('no-rate-limit')) l = unenforced(l);
      if (on('unlimited-history')) l = historyUnlimited(l);
      if (perConnection) l = perConnection.limits(l);
      if (on('refused-handshake-rate-limited')) l = countRefusedHandshakes(l, metrics);
      return l;
    },
    tokenClaims: unvalidated
      ? UNVALIDATED_TOKEN_CLAIMS
      : on('short-sub-only')
        ? SHORT_SUB_TOKEN_CLAIMS
        : on('token-name-cut')
          ? TOKEN_NAME_CUT_CLAIMS
          : on('expiry-not-enforced')
            ? EXPIRY_NOT_ENFORCED_CLAIMS
            : on('unknown-roles-accepted')
              ? ANY_ROLES_CLAIMS
              : TokenClaims,
    events(pipeline) {
      let p = pipeline;
      if (unvalidated) p = { ...p, payloadSchema: unvalidatedPayload };
      if (on('no-inflight-cap')) p = { ...p, inFlightMax: Number.POSITIVE_INFINITY };
      if (on('ack-before-durable')) p = { ...p, handlers: { ...p.handlers, 'message:send': ackBeforeDurable(p.handlers['message:send']) } };
      if (nodesSeen) p = { ...p, handlers: { ...p.handlers, 'message:send': nodesSeen.guard(p.handlers['message:send']) } };
      if (on('throw-in-handler')) p = { ...p, handlers: { ...p.handlers, 'channel:history': throwingHistory } };
      if (on('typing-stop-needs-membership')) p = { ...p, handlers: { ...p.handlers, 'typing:stop': typingStopNeedsMembership(p.handlers['typing:stop']) } };
      if (on('typing-unknown-channel-not-found')) p = { ...p, handlers: { ...p.handlers, 'typing:start': typingLooksUpChannel(p.handlers['typing:start']) } };
      if (on('presence-online-on-join')) p = { ...p, handlers: { ...p.handlers, 'channel:join': joinAnnouncesOnline(p.handlers['channel:join']) } };
      if (on('presence-skips-own-sockets')) p = { ...p, handlers: { ...p.handlers, 'presence:update': presenceSkipsOwnSockets } };
      if (on('kick-notifies-every-socket')) p = { ...p, handlers: { ...p.handlers, 'moderation:kick': kickNotifiesEverySocket(p.handlers['moderation:kick']) } };
      if (on('invisible-published')) p = { ...p, handlers: { ...p.handlers, 'presence:update': invisiblePublished } };
      if (on('typing-without-membership')) p = { ...p, handlers: { ...p.handlers, 'typing:start': typingWithoutMembership(p.handlers['typing:start']) } };
      if (on('edit-ignores-channel-access')) p = { ...p, handlers: { ...p.handlers, 'message:edit': editIgnoresChannelAccess(p.handlers['message:edit']) } };
      if (on('strict-payloads')) p = strictPayloads(p);
      if (on('text-length-in-utf16')) p = textLengthInUtf16(p);
      if (on('extra-attachments-dropped')) p = extraAttachmentsDropped(p);
      if (on('raw-text-unbounded')) p = rawTextUnbounded(p);
      if (on('kick-without-role')) p = { ...p, handlers: { ...p.handlers, 'moderation:kick': kickWithoutRole(p.handlers['moderation:kick']) } };
      if (on('self-moderation-allowed')) {
        p = { ...p, handlers: { ...p.handlers, 'moderation:kick': selfModerationAllowed(p.handlers['moderation:kick']), 'moderation:ban': selfModerationAllowed(p.handlers['moderation:ban']) } };
      }
      if (on('private-channels-open')) p = { ...p, handlers: { ...p.handlers, 'channel:join': privateChannelsOpen(p.handlers['channel:join']) } };
      if (on('membership-per-user')) p = { ...p, handlers: { ...p.handlers, 'message:send': membershipPerUser(p.handlers['message:send']) } };
      if (on('idempotent-repeat-counted')) p = { ...p, handlers: { ...p.handlers, 'message:send': countRepeats(p.handlers['message:send']) } };
      if (on('typing-echoes-typist')) p = { ...p, handlers: { ...p.handlers, 'typing:start': typingEchoesTypist(p.handlers['typing:start']) } };
      if (on('typing-stop-silent')) p = { ...p, handlers: { ...p.handlers, 'typing:stop': typingStopSilent } };
      if (on('history-ignores-privacy')) p = { ...p, handlers: { ...p.handlers, 'channel:history': historyIgnoresPrivacy(p.handlers['channel:history']) } };
      if (on('leave-unknown-ok')) p = { ...p, handlers: { ...p.handlers, 'channel:leave': leaveUnknownOk(p.handlers['channel:leave']) } };
      if (on('kick-counts-all-sockets')) p = { ...p, handlers: { ...p.handlers, 'moderation:kick': kickCountsAllSockets(p.handlers['moderation:kick']) } };
      if (on('edit-by-anyone')) p = { ...p, handlers: { ...p.handlers, 'message:edit': editByAnyone(p.handlers['message:edit']) } };
      if (on('wrong-error-shape')) p = wrongErrorShape(p);
      return p;
    },
    recoveryBuffer: (bounded, maxPackets) =>
      on('recovery-buffer-unbounded') ? SessionAwareAdapter : on('recovery-resumes-after-trim') ? resumesAfterTrim(bounded, maxPackets) : bounded(maxPackets),
    recovery: (policy) =>
      on('stock-recovery') || on('recovery-skips-auth')
        ? undefined
        : { bindUser: policy.bindUser && !on('recovery-unbound'), reauthorise: policy.reauthorise && !on('recovery-keeps-rooms') },
    socketHooks(hooks) {
      let h = hooks;
      if (on('no-output-cap')) h = h.filter((hook) => hook !== capOutput);
      if (on('crash-on-bad-payload')) h = [...h, (_ctx, socket) => crashOnBadPayload(socket)];
      if (on('ban-reason-dropped')) h = [...h, (_ctx, socket) => dropBanReason(socket)];
      if (on('arrival-order-seq')) h = [...h, numberByArrival];
      if (perConnection) h = [...h, perConnection.hook];
      if (nodesSeen) h = [...h, nodesSeen.sample];
      if (on('callbackless-event-counted')) h = [...h, countCallbacklessEvents];
      if (on('sessions-end-silently')) h = [...h, endSessionsSilently];
      if (on('message-not-echoed')) h = [...h, skipAuthorEcho];
      if (on('edit-not-broadcast')) h = [...h, editNotBroadcast];
      if (on('disconnect-when-limited')) h = [...h, disconnectWhenLimited];
      if (on('console-log-on-connect')) h = [...h, consoleLogOnConnect];
      return h;
    },
    jwksKeys: (url, keys) => (on('jwks-no-breaker') ? createRemoteJWKSet(new URL(url), { timeoutDuration: 3_000 }) : keys()),
    adminFixtures: (configured) => configured || on('fixtures-always-on'),
    typingTimeoutMs: (configured) => (on('typing-timeout-hardcoded') ? hardcodedTypingTimeout(configured) : configured),
    handshakeContext(ctx) {
      let c = ctx;
      if (on('draining-accepts-handshakes')) c = handshakeBlindToDrain(c);
      if (on('handshake-limit-after-token')) c = limitAfterToken(c);
      if (on('hmac-algorithms-open')) c = hmacAlgorithmsOpen(c);
      if (on('token-logged')) c = logHandshakeTokens(c);
      if (on('event-logs-without-context')) c = handshakeLoggedWithoutContext(c);
      return c;
    },
    listenAt: (where) => (on('port-range-ignored') ? anyFreePort(where) : where),
    drainedSessionEnd: (end) => (on('drain-leaves-transport-open') ? endWithSocketIoDisconnect : end),
    sweepLiveness: (isConnected) => (on('sweep-removes-live-state') ? () => false : isConnected),
    drainTimeoutExit: (code) => (on('drain-timeout-exits-zero') ? 0 : code),
    breakerRetryAfter: (rule) => (on('retry-after-zero-half-open') ? retryAfterZeroHalfOpen : rule),
    limitsWithoutRedis: (insurance) => (on('limits-open-without-redis') ? failOpenLimiter : insurance),
    verifierAuth: (auth) => (on('issuer-audience-ignored') ? withoutIssuerAudience(auth) : auth),
    fatalExit: (code) => (on('fatal-swallowed') ? 'keep-running' : on('fatal-exits-zero') ? 0 : code),
    crossNodeAdapter: (adapter, dataDir) => (on('restart-skips-adapter') ? adapterOnFirstStartOnly(adapter, dataDir) : adapter),
    listeningLine: (fields) => fields,
    trustProxy: (trust) => (on('trust-any-forwarded') && trust.kind === 'none' ? { kind: 'hops', hops: 1 } : trust),
    routes(ctx, routes) {
      let r = routes;
      if (unvalidated || on('removal-keeps-sockets')) {
        const schema = unvalidated ? UNVALIDATED_ADMIN_CHANNEL : AdminChannelRequest;
        // `unvalidated-store-input` takes member ids that are not plain strings to the store (C24);
        // `removal-keeps-sockets` leaves removed members' sockets in the channel (CHAN-5, C29).
        r = replaceRoute(r, channelFixtureRoute(ctx, { schema, evictNonReaders: !on('removal-keeps-sockets') }));
      }
      if (on('http-413-before-401')) r = r.map(bodyLimitBeforeAuth);
      if (on('http-413-wrong-code')) r = r.map(bodyTooLargeOwnCode);
      if (on('draining-says-ok')) r = r.map(healthIgnoresDraining);
      if (on('fixture-always-201')) r = r.map(channelFixtureAlways201);
      if (on('prometheus-figures-stale')) r = r.map(prometheusFiguresStale);
      if (on('operator-endpoint-open')) r = r.map((route) => operatorEndpointOpen(ctx, route));
      if (on('admin-any-role')) r = r.map((route) => adminAnyRole(ctx, route));
      if (on('recovery-keeps-breakers-open')) r = r.map((route) => recoveryKeepsBreakersOpen(ctx, route));
      const names = faults.list();
      if (names.length > 0) {
        r = r.map((route) => (route.method === 'GET' && route.path === HTTP_PATHS.spec ? specWithFaults(route, names, { unpublishedHistory: on('unlimited-history'), unpublishedRecoveryBound: on('recovery-bound-unpublished'), embeddedStoreNamed: on('durable-store-misnamed') }) : route));
      }
      return r;
    },
  })));
}
