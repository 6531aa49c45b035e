import { io, type Socket } from 'socket.io-client';
import { SessionEnded } from '../../../events.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { withSiblingTarget } from '../sibling-target.ts';

/** The drain timeout the second target runs with: short, so that the check waits little. */
const SHUTDOWN_TIMEOUT_S = 3;
const SLACK_MS = 2_000;
/** What Socket.IO's client says when the connection closed under it (it reconnects), and when the server ended the session (it does not). */
const TRANSPORT_CLOSE = 'transport close';
/**
 * Over long-polling the client's next poll is a new request, on a new TCP connection when the client
 * keeps none alive (Node's): a draining node may refuse it (HLTH-3), and the client says `transport error`.
 * It reconnects after that just the same, which is what OPS-2a asks for.
 */
const RECONNECTING: Record<Watched['transport'], readonly string[]> = { websocket: [TRANSPORT_CLOSE], polling: [TRANSPORT_CLOSE, 'transport error'] };

interface Watched {
  transport: 'websocket' | 'polling';
  socket: Socket;
  ended: Promise<unknown>;
  disconnect: Promise<{ reason: string; atMs: number } | undefined>;
}

/**
 * OPS-2a (SHOULD): a drained node's clients should come back by themselves, to the restarted node or
 * another one. Socket.IO's own client decides that by how the session ended: a closed transport
 * (`transport close`) is retried, a Socket.IO DISCONNECT (`io server disconnect`, as a ban ends it) is not.
 * The check uses that client, over each transport, against a second target it SIGTERMs.
 */
export default defineCheck({
  id: 'S18',
  title: 'The drain ends each connection at the transport: the standard client sees "transport close" (and would reconnect), not a Socket.IO disconnect nor a hang until the ping timeout (a second target, SIGTERM)',
  group: 'Spec rules',
  level: 'SHOULD',
  rules: ['OPS-2a'],
  needs: ['harness-started'],
  withoutFixtures: true,
  timeoutMs: 150_000, // a second target starts within it (slow on a loaded machine)
  async run(ctx: CheckContext) {
    await withSiblingTarget(ctx, { SOCKETIO_SHUTDOWN_TIMEOUT: String(SHUTDOWN_TIMEOUT_S) }, async (sibling) => {
      const user = await ctx.user('drained');
      const watched: Watched[] = [];
      try {
        for (const transport of ['websocket', 'polling'] as const) watched.push(await connect(ctx, sibling.url, transport, user.token));
        const signalledAt = performance.now();
        sibling.signal('SIGTERM');
        ctx.recorder.note(`SIGTERM sent to the second target (SOCKETIO_SHUTDOWN_TIMEOUT=${SHUTDOWN_TIMEOUT_S})`);
        const within = SHUTDOWN_TIMEOUT_S * 1000 + SLACK_MS;
        for (const w of watched) {
          const [ended, gone] = await Promise.all([w.ended, withTimeout(w.disconnect, within)]);
          const parsed = SessionEnded.safeParse(ended);
          ctx.recorder.note(`${w.transport}: session:ended ${ended === undefined ? 'not received' : JSON.stringify(ended)}; disconnect ${gone ? `"${gone.reason}" ${Math.round(gone.atMs - signalledAt)} ms after the SIGTERM` : 'not seen'}`);
          ctx.expect(parsed.success && parsed.data.code === 'UNAVAILABLE', `${w.transport}: the client receives session:ended UNAVAILABLE first (SES-1)`, ended === undefined ? 'nothing' : JSON.stringify(ended));
          ctx.expect(
            gone !== undefined && RECONNECTING[w.transport].includes(gone.reason),
            `${w.transport}: the standard client sees ${RECONNECTING[w.transport].map((r) => `"${r}"`).join(' or ')} within SOCKETIO_SHUTDOWN_TIMEOUT + ${SLACK_MS} ms (it reconnects by itself)`,
            gone ? `"${gone.reason}"${gone.reason === 'io server disconnect' ? ' (a Socket.IO disconnect: the client does not reconnect)' : ''}` : `no disconnect within ${within} ms`,
          );
        }
        const exit = await sibling.waitExit(within);
        ctx.recorder.note(`the second target exited: ${exit ? `code ${exit.code} signal ${exit.signal}` : 'not yet'}`);
      } finally {
        for (const w of watched) w.socket.close();
      }
    });
  },
});

/** A standard Socket.IO client on one transport, not reconnecting, watched for session:ended and its disconnect. */
async function connect(ctx: CheckContext, url: string, transport: 'websocket' | 'polling', token: string): Promise<Watched> {
  const socket = io(url, { path: ctx.transportPath, transports: [transport], auth: { token }, reconnection: false, forceNew: true, timeout: 5_000 });
  const ended = new Promise<unknown>((resolve) => {
    socket.on('session:ended', (data: unknown) => resolve(data));
    socket.on('disconnect', () => setTimeout(() => resolve(undefined), 0));
  });
  const disconnect = new Promise<{ reason: string; atMs: number }>((resolve) => socket.on('disconnect', (reason) => resolve({ reason, atMs: performance.now() })));
  const connected = await new Promise<string | undefined>((resolve) => {
    socket.once('connect', () => resolve(undefined));
    socket.once('connect_error', (err) => resolve(err.message));
  });
  ctx.require(connected === undefined, `the standard client connects over ${transport}`, connected ?? 'connected');
  ctx.recorder.note(`standard client connected over ${transport} (id ${socket.id})`);
  return { transport, socket, ended, disconnect };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]).finally(() => clearTimeout(timer));
}
