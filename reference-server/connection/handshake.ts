import { ConnectErrorCode, HandshakeAuth, type ConnectErrorData } from '../../spec/index.ts';
import type { ChatSocket, NodeContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { describeStoreError } from '../store/store-errors.ts';
import { clientAddress, type TrustProxy } from './client-address.ts';
import type { RecoveryGate } from './recovery.ts';

/** A refused handshake as Socket.IO delivers it: `connect_error` with `data` (AUTH-7). */
class HandshakeRefusal extends Error {
  constructor(readonly data: ConnectErrorData) {
    super(data.message);
  }
}

/**
 * Handshake middleware: drain check, per-IP connection limit (counted before the token is read,
 * RATE-4), token verification, ban look-up (AUTH-1..7), then recovery of the user's own session,
 * re-authorised (SES-5..8): nothing of a session is restored before everything else passed.
 * The client's address is the socket's peer, or the one the trusted proxies report (NODE-5).
 */
export function handshakeMiddleware(ctx: NodeContext, recovery: RecoveryGate | undefined, trustProxy: TrustProxy) {
  return async (socket: ChatSocket, next: (err?: Error) => void): Promise<void> => {
    let userId: string | undefined;
    const address = clientAddress(socket.handshake.address, socket.handshake.headers['x-forwarded-for'], trustProxy);
    try {
      if (ctx.lifecycle.draining) throw new HandshakeRefusal({ code: 'UNAVAILABLE', message: 'server shutting down', retryAfterMs: 1_000 });
      await ctx.limits.consume('connection', address);
      const auth = HandshakeAuth.safeParse(socket.handshake.auth);
      if (!auth.success) throw new HandshakeRefusal({ code: 'UNAUTHORIZED', message: 'auth.token required' });
      const identity = await ctx.verifier.verify(auth.data.token);
      userId = identity.userId;
      const ban = await ctx.store.activeBan(identity.userId, new Date());
      if (ban) {
        throw new HandshakeRefusal({
          code: 'BANNED',
          message: `banned: ${ban.reason}`,
          ...(ban.until ? { retryAfterMs: Math.max(0, ban.until.getTime() - Date.now()) } : {}),
        });
      }
      socket.data.identity = identity;
      await recovery?.resume(ctx, socket, identity);
      ctx.log.debug({ event: 'handshake', socketId: socket.id, userId, clientAddress: address }, 'connected');
      next();
    } catch (err) {
      ctx.metrics.inc('failedConnections');
      const refusal = toRefusal(err);
      if (!(err instanceof AppError) && !(err instanceof HandshakeRefusal)) ctx.log.error({ err, socketId: socket.id, clientAddress: address }, 'handshake failed');
      else ctx.log.debug({ event: 'handshake', socketId: socket.id, userId, clientAddress: address, code: refusal.data.code }, 'handshake refused');
      if (err instanceof AppError && err.cause !== undefined) {
        ctx.log.warn({ event: 'handshake', socketId: socket.id, userId, clientAddress: address, code: err.code, storeError: describeStoreError(err.cause) }, 'store call failed');
      }
      const error = new Error(refusal.data.message) as Error & { data: ConnectErrorData };
      error.data = refusal.data;
      next(error);
    }
  };
}

function toRefusal(err: unknown): HandshakeRefusal {
  if (err instanceof HandshakeRefusal) return err;
  if (err instanceof AppError) {
    // A token claim the store refused as invalid input is the token's fault, not the store's (BRK-6).
    if (err.code === 'VALIDATION') return new HandshakeRefusal({ code: 'UNAUTHORIZED', message: 'token claims invalid' });
    const code = ConnectErrorCode.safeParse(err.code);
    const body = err.toBody();
    return new HandshakeRefusal({ ...body, code: code.success ? code.data : 'UNAVAILABLE' });
  }
  return new HandshakeRefusal({ code: 'UNAVAILABLE', message: 'handshake failed', retryAfterMs: 1_000 });
}
