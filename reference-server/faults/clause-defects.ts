import type { Faults, FaultName } from './catalogue.ts';
import type { NodeDefects } from './index.ts';
import {
  banCountsChannelSockets,
  historyNeedsJoin,
  joinLastSeqStale,
  joinTwiceRefused,
  joinUnknownForbidden,
  kickRemovesOneSocket,
  leaveKeepsTyping,
  presenceNotBroadcast,
  sendUnknownChannelForbidden,
  sendWithoutJoin,
  typingStopAlwaysBroadcast,
} from './channel-rules.ts';
import { secretInConfigError } from './config-errors.ts';
import { limitAfterConnect } from './connection-limit.ts';
import { recoveryRoomsDropped } from './recovery-rooms.ts';
import { callbacklessEventProcessed, invalidCallsFree, unknownEventNotCounted, unknownEventUnanswered } from './event-gates.ts';
import { defaultNameNotSub, expOptional, guestForBadToken, nbfIgnored, refusalWithoutData } from './handshake-answers.ts';
import { offlineNeverPublished } from './outgoing-events.ts';
import { breakerSinceEpoch, breakersListedWhenTripped, healthStoreMisnamed, jsonWithoutContentType, metricsWithoutRedisCounters, plainNotFound, specShowsConfiguredLimits, specWithoutDurableStore, staleCleaningUncounted, uptimeFrozen } from './http-bodies.ts';
import { c1ControlsKept, channelIdLoose, editLooksUpBeforeValidating, editTextNotNormalised, historyLimitUnbounded, httpAttachmentsAccepted } from './payload-schemas.ts';
import { bufferSizeNotAsPublished, eio3Accepted, limitReplaceKeepsCounts, pingTimeoutNotAsPublished, pollingRefused, retryAfterFullWindow, upgradesRefused, websocketRefused } from './published-values.ts';
import { attachmentNameRaw, editResetsCreatedAt, idempotencyInMemory, seqStartsAtZero } from './stored-values.ts';

/**
 * The faulty builds of the clause audit (issue 13: a faulty build for every clause of the table in
 * spec/conformance/README.md that had none), applied on top of the other defects: each changes one
 * component defectsFor already hands out, so nothing else in the node knows about them.
 */
export function withClauseDefects(faults: Faults, base: NodeDefects): NodeDefects {
  const on = (name: FaultName) => faults.has(name);
  const hideOffline = on('offline-never-published') ? offlineNeverPublished() : undefined;
  const limitLate = on('over-limit-handshake-disconnected') ? limitAfterConnect() : undefined;
  return {
    ...base,
    redact: on('secret-in-config-error') ? secretInConfigError(base.redact) : base.redact,
    socketIoOptions(options) {
      let o = base.socketIoOptions(options);
      if (on('eio3-accepted')) o = eio3Accepted(o);
      if (on('buffer-size-not-as-published')) o = bufferSizeNotAsPublished(o);
      if (on('ping-timeout-not-as-published')) o = pingTimeoutNotAsPublished(o);
      if (on('polling-refused')) o = pollingRefused(o);
      if (on('websocket-refused')) o = websocketRefused(o);
      if (on('upgrades-refused')) o = upgradesRefused(o);
      return o;
    },
    store(store) {
      let s = base.store(store);
      if (on('seq-starts-at-zero')) s = seqStartsAtZero(s);
      if (on('edit-resets-created-at')) s = editResetsCreatedAt(s);
      if (on('attachment-name-raw')) s = attachmentNameRaw(s);
      if (on('idempotency-in-memory')) s = idempotencyInMemory(s);
      return s;
    },
    limits(limits, metrics) {
      let l = base.limits(limits, metrics);
      if (on('retry-after-full-window')) l = retryAfterFullWindow(l);
      if (on('limit-replace-keeps-counts')) l = limitReplaceKeepsCounts(l);
      return l;
    },
    events(pipeline) {
      let p = base.events(pipeline);
      if (on('join-unknown-forbidden')) p = { ...p, handlers: { ...p.handlers, 'channel:join': joinUnknownForbidden(p.handlers['channel:join']) } };
      if (on('join-twice-refused')) p = { ...p, handlers: { ...p.handlers, 'channel:join': joinTwiceRefused(p.handlers['channel:join']) } };
      if (on('join-last-seq-stale')) p = { ...p, handlers: { ...p.handlers, 'channel:join': joinLastSeqStale(p.handlers['channel:join']) } };
      if (on('send-without-join')) p = { ...p, handlers: { ...p.handlers, 'message:send': sendWithoutJoin(p.handlers['message:send']) } };
      if (on('send-unknown-channel-forbidden')) p = { ...p, handlers: { ...p.handlers, 'message:send': sendUnknownChannelForbidden(p.handlers['message:send']) } };
      if (on('history-needs-join')) p = { ...p, handlers: { ...p.handlers, 'channel:history': historyNeedsJoin(p.handlers['channel:history']) } };
      if (on('typing-stop-always-broadcast')) p = { ...p, handlers: { ...p.handlers, 'typing:stop': typingStopAlwaysBroadcast } };
      if (on('kick-removes-one-socket')) p = { ...p, handlers: { ...p.handlers, 'moderation:kick': kickRemovesOneSocket } };
      if (on('ban-counts-channel-sockets')) p = { ...p, handlers: { ...p.handlers, 'moderation:ban': banCountsChannelSockets(p.handlers['moderation:ban']) } };
      if (on('channel-id-loose')) p = channelIdLoose(p);
      if (on('history-limit-unbounded')) p = historyLimitUnbounded(p);
      if (on('http-attachments-accepted')) p = httpAttachmentsAccepted(p);
      if (on('edit-text-not-normalised')) p = editTextNotNormalised(p);
      if (on('leave-keeps-typing')) p = { ...p, handlers: { ...p.handlers, 'channel:leave': leaveKeepsTyping } };
      if (on('edit-looks-up-before-validating')) p = editLooksUpBeforeValidating(p);
      if (on('c1-controls-kept')) p = c1ControlsKept(p);
      if (on('presence-not-broadcast')) p = { ...p, handlers: { ...p.handlers, 'presence:update': presenceNotBroadcast } };
      return p;
    },
    socketHooks(hooks) {
      let h = base.socketHooks(hooks);
      if (on('unknown-event-unanswered')) h = [...h, unknownEventUnanswered];
      if (on('unknown-event-not-counted')) h = [...h, unknownEventNotCounted];
      if (on('callbackless-event-processed')) h = [...h, callbacklessEventProcessed];
      if (on('invalid-calls-free')) h = [...h, invalidCallsFree];
      if (hideOffline) h = [...h, hideOffline];
      if (limitLate) h = [...h, limitLate.hook];
      if (on('recovery-rooms-dropped')) h = [...h, recoveryRoomsDropped];
      return h;
    },
    handshakeContext(ctx) {
      let c = base.handshakeContext(ctx);
      if (on('exp-optional')) c = expOptional(c);
      if (on('nbf-ignored')) c = nbfIgnored(c);
      if (on('default-name-not-sub')) c = defaultNameNotSub(c);
      if (on('refusal-without-data')) c = refusalWithoutData(c);
      if (on('guest-for-bad-token')) c = guestForBadToken(c);
      if (limitLate) c = limitLate.handshake(c);
      return c;
    },
    routes(ctx, routes) {
      let r = base.routes(ctx, routes);
      if (on('uptime-frozen')) r = r.map(uptimeFrozen);
      if (on('metrics-without-redis-counters')) r = r.map(metricsWithoutRedisCounters);
      if (on('stale-cleaning-uncounted')) r = r.map(staleCleaningUncounted);
      if (on('health-store-misnamed')) r = r.map(healthStoreMisnamed);
      if (on('spec-shows-configured-limits')) r = r.map((route) => specShowsConfiguredLimits(route, ctx.config.rateLimits));
      if (on('unknown-path-plain-404')) r = [...r, plainNotFound];
      if (on('json-without-content-type')) r = r.map(jsonWithoutContentType);
      if (on('breakers-listed-when-tripped')) r = r.map(breakersListedWhenTripped);
      if (on('breaker-since-epoch')) r = r.map(breakerSinceEpoch);
      if (on('spec-without-durable-store')) r = r.map(specWithoutDurableStore);
      return r;
    },
  };
}
