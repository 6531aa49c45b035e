import type { Faults, FaultName } from './catalogue.ts';
import type { NodeDefects } from './index.ts';
import { acksAnsweredTwice, idleSocketsClosed, stateKeptForSweep, urlsLinked } from './answers-and-rendering.ts';
import { allInterfacesByDefault, dataDirOfItsOwn, hostIgnored, hostIsSet, listeningWithoutPort, withoutVariables } from './bind-and-variables.ts';
import { channelIdsCaseFolded, relaxationTtlClamped } from './fixture-inputs.ts';
import {
  acceptAnyNamespace,
  corsOpenByDefault,
  historyLimitUnpublished,
  pathMovedInSpec,
  prometheusWithoutProcessMetrics,
  recoveryNotOffered,
  recoveryUnpublished,
  socketIoPathMoved,
  specChanged,
} from './published-features.ts';
import { clockToleranceIgnored, jwksAlgorithmsOpen } from './token-settings.ts';

/**
 * The faulty builds of the clause audit's single-node gaps (issue 13, helper clauses1: the rows of
 * the table in spec/conformance/README.md whose clause no faulty build had failed), applied on top
 * of the other defects as withClauseDefects is. `env` is the process's environment, only read here:
 * the faults that make a node ignore a variable change the copy its configuration is read from (configEnv).
 */
export function withSingleNodeClauseDefects(faults: Faults, base: NodeDefects, env: NodeJS.ProcessEnv = process.env): NodeDefects {
  const on = (name: FaultName) => faults.has(name);
  const ignored = [
    ...(on('port-file-ignored') ? ['SOCKPROOF_PORT_FILE'] : []),
    ...(on('log-level-ignored') ? ['LOG_LEVEL'] : []),
    ...(on('port-ignored') ? ['PORT'] : []),
    ...(on('jwt-secret-ignored') ? ['JWT_SECRET'] : []),
  ];
  const hostSet = hostIsSet(env);
  return {
    ...base,
    configEnv(configured) {
      let e = withoutVariables(base.configEnv(configured), ignored);
      if (on('data-dir-ignored')) e = dataDirOfItsOwn(e);
      return e;
    },
    socketIoOptions(options) {
      let o = base.socketIoOptions(options);
      if (on('socket-io-path-moved')) o = socketIoPathMoved(o);
      if (on('cors-open-by-default')) o = corsOpenByDefault(o);
      if (on('recovery-not-offered')) o = recoveryNotOffered(o);
      return o;
    },
    listeningLine: (fields) => (on('listening-line-without-port') ? listeningWithoutPort(fields) : base.listeningLine(fields)),
    listenAt(where) {
      let w = base.listenAt(where);
      if (on('binds-all-interfaces')) w = allInterfacesByDefault(w, hostSet);
      if (on('host-ignored')) w = hostIgnored(w);
      return w;
    },
    verifierAuth: (auth) => (on('clock-tolerance-ignored') ? clockToleranceIgnored(base.verifierAuth(auth)) : base.verifierAuth(auth)),
    handshakeContext: (ctx) => (on('jwks-algorithms-open') ? jwksAlgorithmsOpen(base.handshakeContext(ctx)) : base.handshakeContext(ctx)),
    store(store) {
      let s = base.store(store);
      if (on('urls-linked')) s = urlsLinked(s);
      if (on('channel-ids-case-folded')) s = channelIdsCaseFolded(s);
      return s;
    },
    socketHooks(hooks) {
      let h = base.socketHooks(hooks);
      if (on('acks-answered-twice')) h = [...h, acksAnsweredTwice];
      if (on('idle-sockets-closed')) h = [...h, idleSocketsClosed];
      if (on('state-kept-for-sweep')) h = [...h, stateKeptForSweep];
      return h;
    },
    routes(ctx, routes) {
      // Called once, as the node composes its HTTP routes: the one hook that sees Socket.IO's server.
      if (on('any-namespace-accepted')) acceptAnyNamespace(ctx.io);
      let r = base.routes(ctx, routes);
      if (on('socket-io-path-moved')) r = r.map((route) => specChanged(route, pathMovedInSpec));
      if (on('history-limit-unpublished')) r = r.map((route) => specChanged(route, historyLimitUnpublished));
      if (on('recovery-unpublished')) r = r.map((route) => specChanged(route, recoveryUnpublished));
      if (on('prometheus-without-process-metrics')) r = r.map(prometheusWithoutProcessMetrics);
      if (on('relaxation-ttl-clamped')) r = r.map(relaxationTtlClamped);
      return r;
    },
  };
}
