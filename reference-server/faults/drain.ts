import type { endLocalSession } from '../connection/end-session.ts';

/*
 * Defects in how a drain ends (OPS-2, OPS-2a), each what a shutdown handler written without SPEC 1.0.1's
 * clauses plausibly does.
 */

/**
 * `drain-leaves-transport-open`: the drain ends each session with a Socket.IO disconnect, as a ban does,
 * and leaves the transport open until the process exits: the standard client sees `io server disconnect`
 * and never reconnects by itself (OPS-2a): S18.
 */
export const endWithSocketIoDisconnect: typeof endLocalSession = (ctx, socket, ended) => {
  ctx.io.local.to(socket.id).emit('session:ended', ended);
  socket.disconnect(false);
};
