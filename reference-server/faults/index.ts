import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { ServerOptions } from 'socket.io';
import { AdminChannelRequest, HTTP_PATHS, TokenClaims, type BreakerPolicy } from '../../spec/index.ts';
import { redactUrlsIn } from '../../spec/redact.ts';
import { capOutput } from '../connection/output-cap.ts';
import type { TrustProxy } from '../connection/client-address.ts';
import type { GateOptions } from '../connection/recovery.ts';
import type { ChatSocket, NodeContext } from '../context.ts';
import type { EventPipeline } from '../events/pipeline.ts';
import type { Route } from '../http/router.ts';
import type { Limits, RelaxationLookup } from '../resilience/rate-limits.ts';
import type { RelaxationTable } from '../resilience/relaxation-table.ts';
import type { Store } from '../store/types.ts';
import type { Faults } from './catalogue.ts';
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

export { FaultName, Faults } from './catalogue.ts';

/** Something done to every new socket once its session started (RATE-7's output cap is one). */
export type SocketHook = (ctx: NodeContext, socket: ChatSocket) => void;

/**
 * How the deliberate defects change a node: each member takes a real component (or its options)
 * and gives back the one to use. The clean build's are identities. app.ts and main.ts apply them
 * where they compose the node; no other code knows that faults exist.
 */
export interface NodeDefects {
  /** loadConfig's options (`unredacted-urls`). */
  readonly configOptions: { revealUrls?: boolean };
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
  /** Who a relaxation covers (`relaxation-for-everyone`: anyone, whatever it lists). */
  relaxationLookup(table: RelaxationTable): RelaxationLookup;
  /** How many cross-node sends per channel are held while Redis is down (DEG-2; `drops-held-sends`: none). */
  crossNodeBufferMax(max: number): number;
  store(store: Store): Store;
  limits(limits: Limits): Limits;
  readonly tokenClaims: typeof TokenClaims;
  events(pipeline: EventPipeline): EventPipeline;
  /** The recovery gate's policy; undefined leaves Socket.IO's own recovery in place. */
  recovery(policy: GateOptions): GateOptions | undefined;
  socketHooks(hooks: SocketHook[]): SocketHook[];
  routes(ctx: NodeContext, routes: Route[]): Route[];
  /** The JWKS key getter (`jwks-no-breaker`: jose's remote key set, read with no breaker and no last good set of its own). */
  jwksKeys(url: string, keys: () => JWTVerifyGetKey): JWTVerifyGetKey;
  /** Whether the fixture routes are mounted (`fixtures-always-on`: whatever ADMIN_FIXTURES says, while GET /spec states the setting). */
  adminFixtures(configured: boolean): boolean;
  /** How the process ends after an exception outside any handler (OPS-4: exit 1); 'keep-running' (`fatal-swallowed`) does not end it. */
  fatalExit(code: 1): number | 'keep-running';
  /** Whose X-Forwarded-For the handshake believes (`trust-any-forwarded`: the nearest hop's, even with TRUST_PROXY unset). */
  trustProxy(trust: TrustProxy): TrustProxy;
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
  return {
    configOptions: on('unredacted-urls') ? { revealUrls: true } : {},
    redact: on('unredacted-urls') ? (message) => message : redactUrlsIn,
    socketIoOptions: (options) =>
      on('recovery-skips-auth') ? { ...options, connectionStateRecovery: { ...options.connectionStateRecovery, skipMiddlewares: true } } : options,
    breakerPolicy: (policy) => (on('breaker-never-opens') ? { ...policy, failureThreshold: Number.MAX_SAFE_INTEGER } : policy),
    storeInputErrors: (classify) => (unvalidated ? undefined : classify),
    sharedLimitsLink: (link) => (on('local-rate-limits') ? undefined : link),
    crossNodeBufferMax: (max) => (on('drops-held-sends') ? 0 : max),
    sharedRelaxationsLink: (link) => (on('relaxation-local-only') ? undefined : link),
    relaxationClock: (now) => (on('relaxation-never-expires') ? () => 0 : now),
    relaxationLookup: (table) => (on('relaxation-for-everyone') ? (name) => table.anyFor(name) : (name, key) => table.ruleFor(name, key)),
    store(store) {
      let s = store;
      if (on('no-idempotency')) s = withoutIdempotency(s);
      if (on('no-ban-check')) s = withoutBans(s);
      if (on('blacklist-sanitizer')) s = withBlacklistSanitizer(s);
      if (on('edit-ack-before-durable')) s = editBeforeDurable(s);
      if (on('reordered-seq')) s = withReorderedHistory(s);
      return s;
    },
    limits(limits) {
      let l = limits;
      if (on('no-rate-limit')) l = unenforced(l);
      if (on('unlimited-history')) l = historyUnlimited(l);
      if (perConnection) l = perConnection.limits(l);
      return l;
    },
    tokenClaims: unvalidated ? UNVALIDATED_TOKEN_CLAIMS : on('short-sub-only') ? SHORT_SUB_TOKEN_CLAIMS : on('token-name-cut') ? TOKEN_NAME_CUT_CLAIMS : TokenClaims,
    events(pipeline) {
      let p = pipeline;
      if (unvalidated) p = { ...p, payloadSchema: unvalidatedPayload };
      if (on('no-inflight-cap')) p = { ...p, inFlightMax: Number.POSITIVE_INFINITY };
      if (on('ack-before-durable')) p = { ...p, handlers: { ...p.handlers, 'message:send': ackBeforeDurable(p.handlers['message:send']) } };
      if (on('throw-in-handler')) p = { ...p, handlers: { ...p.handlers, 'channel:history': throwingHistory } };
      if (on('typing-stop-needs-membership')) p = { ...p, handlers: { ...p.handlers, 'typing:stop': typingStopNeedsMembership(p.handlers['typing:stop']) } };
      if (on('typing-unknown-channel-not-found')) p = { ...p, handlers: { ...p.handlers, 'typing:start': typingLooksUpChannel(p.handlers['typing:start']) } };
      if (on('presence-online-on-join')) p = { ...p, handlers: { ...p.handlers, 'channel:join': joinAnnouncesOnline(p.handlers['channel:join']) } };
      if (on('presence-skips-own-sockets')) p = { ...p, handlers: { ...p.handlers, 'presence:update': presenceSkipsOwnSockets } };
      if (on('kick-notifies-every-socket')) p = { ...p, handlers: { ...p.handlers, 'moderation:kick': kickNotifiesEverySocket(p.handlers['moderation:kick']) } };
      if (on('wrong-error-shape')) p = wrongErrorShape(p);
      return p;
    },
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
      return h;
    },
    jwksKeys: (url, keys) => (on('jwks-no-breaker') ? createRemoteJWKSet(new URL(url), { timeoutDuration: 3_000 }) : keys()),
    adminFixtures: (configured) => configured || on('fixtures-always-on'),
    fatalExit: (code) => (on('fatal-swallowed') ? 'keep-running' : on('fatal-exits-zero') ? 0 : code),
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
      const names = faults.list();
      if (names.length > 0) {
        r = r.map((route) => (route.method === 'GET' && route.path === HTTP_PATHS.spec ? specWithFaults(route, names, { unpublishedHistory: on('unlimited-history') }) : route));
      }
      return r;
    },
  };
}
