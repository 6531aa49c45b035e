import { ATTACHMENT_MAX_BYTES, ATTACHMENT_MIME_TYPES, ATTACHMENTS_MAX, HISTORY_MAX_LIMIT, HTTP_PATHS, SPEC_NAME, SPEC_VERSION, TEXT_MAX_CODE_POINTS, type SpecDocument } from '../../spec/index.ts';
import type { NodeContext } from '../context.ts';
import type { Route } from './router.ts';

export const IMPLEMENTATION_NAME = 'sockproof-reference-server';

/** SPECDOC-1: what a harness reads first; limits are read live, as FIX-2 may change them. */
export function specRoute(ctx: NodeContext, version: string, features: SpecDocument['features']): Route {
  const { config } = ctx;
  return {
    method: 'GET',
    path: HTTP_PATHS.spec,
    async handle() {
      const doc: SpecDocument = {
        spec: SPEC_NAME,
        version: SPEC_VERSION,
        implementation: { name: IMPLEMENTATION_NAME, version },
        transport: {
          path: '/socket.io',
          transports: ['polling', 'websocket'],
          maxHttpBufferSize: config.transport.maxHttpBufferSize,
          pingIntervalMs: config.transport.pingIntervalMs,
          pingTimeoutMs: config.transport.pingTimeoutMs,
          connectTimeoutMs: config.transport.connectTimeoutMs,
        },
        limits: {
          rateLimits: ctx.limits.current(),
          textMaxCodePoints: TEXT_MAX_CODE_POINTS,
          attachments: { max: ATTACHMENTS_MAX, maxBytes: ATTACHMENT_MAX_BYTES, mimeTypes: [...ATTACHMENT_MIME_TYPES] },
          historyMaxLimit: HISTORY_MAX_LIMIT,
          typingTimeoutMs: config.typingTimeoutMs,
          outgoingBufferMaxBytes: config.socketBounds.outgoingBufferMaxBytes,
          inFlightMax: config.socketBounds.inFlightMax,
          recoveryBufferPackets: config.recoveryBufferPackets,
        },
        breakers: config.breakerPolicy,
        auth: { algorithms: [...ctx.verifier.algorithms], issuer: config.auth.issuer ?? null, audience: config.auth.audience ?? null },
        features,
      };
      return { status: 200, json: doc };
    },
  };
}

