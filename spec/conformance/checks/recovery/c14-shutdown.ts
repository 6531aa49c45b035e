import type { CheckContext } from '../../context.ts';
import { HealthResponse, HTTP_PATHS } from '../../../http.ts';
import type { Message } from '../../../events.ts';
import { SessionEnded } from '../../../events.ts';
import { ConnectErrorData } from '../../../errors.ts';
import { readAck } from '../../ack.ts';
import { CheckInconclusive, defineCheck } from '../../check.ts';
import { reachableAt } from '../../../../testbed/targets/reachable-at.ts';
import { msgKey, room } from '../scene.ts';
import { HeldRequest } from './held-request.ts';
import { lostOrChanged, readHistory } from './history.ts';

const DEFAULT_SHUTDOWN_TIMEOUT_S = 10;
const EXIT_SLACK_MS = 1_000;
const IN_FLIGHT = 5;
/** How long health is asked, after the SIGTERM, for the drain to show (or the listener to close). */
const DRAIN_SEEN_MS = 5_000;
/** How long the event sent once the drain shows waits for its answer (UNAVAILABLE comes at once). */
const PROBE_ACK_MS = 3_000;
/** How much the database's answers are slowed while sends are in flight (at most half DEPENDENCY_TIMEOUT_MS, its default 3 000). */
const IN_FLIGHT_DB_LATENCY_MS = 600;
const DEFAULT_DEPENDENCY_TIMEOUT_MS = 3_000;
/** Said when the process died of the SIGTERM itself: usually a wrapper that does not pass the signal on and wait. */
const WRAPPED_COMMAND_HINT =
  '. The process was ended by the signal itself instead of draining: if --server-cmd is a wrapper (npm start, npx …, a shell script), SIGTERM ended the wrapper, not the server. Start the server itself, e.g. --server-cmd "node server.js", or exec it from the script';

export default defineCheck({
  id: 'C14',
  title: 'Shutdown: on SIGTERM the target drains, exits 0 in time, and every acked message is in history afterwards',
  group: 'Error recovery',
  level: 'MUST',
  rules: ['OPS-2', 'SES-1', 'HLTH-1', 'HLTH-3', 'DUR-1', 'DUR-2', 'CFG-5'],
  needs: ['harness-started'],
  destructive: true,
  timeoutMs: 120_000,
  async run(ctx: CheckContext) {
    const proc = ctx.target.process!;
    const timeoutS = Number(proc.env.SOCKETIO_SHUTDOWN_TIMEOUT ?? DEFAULT_SHUTDOWN_TIMEOUT_S);
    const r = await room(ctx, ['writer', 'listener']);
    const writer = r.members[0]!;
    const listener = r.members[1]!;
    const acked: Message[] = [];
    for (let i = 0; i < 5; i++) acked.push(await ctx.ok(writer.conn, 'message:send', { channelId: r.channelId, text: `before ${i}`, clientMsgId: msgKey(ctx) }));
    const inFlightSends = Array.from({ length: IN_FLIGHT }, (_, i) => ({ channelId: r.channelId, text: `in flight ${i}`, clientMsgId: msgKey(ctx) }));
    // With the database under the harness's control (--deps postgres) its answers are slowed while the in-flight
    // sends are made, so that they are still in flight when the signal comes: the drain must finish and ack them.
    const slowed = await slowDatabase(ctx);
    const inFlight = inFlightSends.map((payload) => writer.conn.request('message:send', [payload], timeoutS * 1000 + 2_000));
    const endedWatch = [writer, listener].map((m) => m.conn.nextEvent('session:ended', timeoutS * 1000 + 2_000));
    // A health request on a connection opened before the signal: answered however early the listener closes (HLTH-3).
    const held = await HeldRequest.open(ctx.target.url, HTTP_PATHS.health);
    // An Engine.IO session opened before the signal that connects to "/" only once the drain shows (OPS-2, AUTH-7).
    const lateUser = await ctx.user('late');
    const late = await ctx.open('late (session opened before the signal)', { transports: ['websocket'] });
    const signalledAt = performance.now();
    proc.signal('SIGTERM');
    ctx.recorder.note('SIGTERM sent to the target');

    const shown = await drainShows(ctx);
    // OPS-2: once the drain shows, an event is new work: UNAVAILABLE, or no answer if the socket is already ended.
    // typing:start, which needs no database: its answer is the drain's, whatever the store is doing.
    let probeAnswered = false;
    if (shown.kind !== 'not seen') {
      const reading = readAck('typing:start', await writer.conn.request('typing:start', [{ channelId: r.channelId }], PROBE_ACK_MS));
      probeAnswered = reading.kind !== 'missing';
      if (reading.kind === 'missing') ctx.recorder.note(`the event sent once the drain showed got no answer (${reading.why}): the socket was ended first, as OPS-2 allows`);
      else ctx.expect(reading.kind === 'error' && reading.code === 'UNAVAILABLE', 'an event sent once the drain showed (health draining or new connections refused), typing:start, answered UNAVAILABLE (OPS-2: new events)', reading.kind === 'error' ? reading.code : reading.kind);
    } else ctx.recorder.note(`the drain did not show within ${DRAIN_SEEN_MS} ms: no new event sent`);
    await healthWhileDraining(ctx, held, shown);
    const lateOutcome = await late.connect({ token: lateUser.token });
    const lateCode = lateOutcome.kind === 'refused' ? ConnectErrorData.safeParse(lateOutcome.data) : undefined;
    if (lateOutcome.kind === 'closed') ctx.recorder.note(`the session opened before the signal was closed before it could connect (${lateOutcome.reason}): no handshake accepted`);
    else ctx.expect(lateCode?.success === true && lateCode.data.code === 'UNAVAILABLE', 'a handshake while draining is refused UNAVAILABLE (OPS-2, AUTH-7)', JSON.stringify(lateOutcome));
    late.close();

    const outcomes = await Promise.all(inFlight);
    // A send the target never read (still in the socket when it closed) gets no answer: ACK-1 cannot ask for one.
    // Its fate is in doubt: after the restart it must be stored at most once. Every send of the shutdown is
    // retried after the restart, as a client that lost its connection around it does: each lands exactly once (DUR-2).
    const inDoubt: typeof inFlightSends = [];
    for (const [i, o] of outcomes.entries()) {
      const reading = readAck('message:send', o);
      if (reading.kind === 'ok') acked.push(reading.data as Message);
      else if (reading.kind === 'missing') {
        inDoubt.push(inFlightSends[i]!);
        // Events on one socket are read in order: the target read this send before the one it answered after the signal.
        if (probeAnswered) ctx.expect(false, `in-flight send ${i}, read before the event the drain answered, acked before its socket closed (OPS-2: in-flight events finished and acked)`, reading.why);
      }
      else ctx.expect(reading.kind === 'error' && reading.code === 'UNAVAILABLE', `in-flight send ${i} acked ok, UNAVAILABLE, or not answered`, reading.kind === 'error' ? reading.code : reading.kind);
    }
    if (inDoubt.length > 0) ctx.recorder.note(`${inDoubt.length} in-flight send(s) got no ack before the connection closed: in doubt, verified after the restart`);
    const ended = await Promise.all(endedWatch);
    for (const [i, e] of ended.entries()) {
      const parsed = e ? SessionEnded.safeParse(e.args[0]) : undefined;
      ctx.expect(parsed?.success === true && parsed.data.code === 'UNAVAILABLE', `${i === 0 ? 'writer' : 'listener'} receives session:ended UNAVAILABLE (SES-1)`, e ? JSON.stringify(e.args[0]) : 'nothing');
    }
    const exit = await proc.waitExit(timeoutS * 1000 + EXIT_SLACK_MS);
    await slowed?.();
    const took = exit ? Math.round(exit.atMs - signalledAt) : undefined;
    ctx.expect(
      exit !== undefined && exit.code === 0,
      `exit 0 within SOCKETIO_SHUTDOWN_TIMEOUT ${timeoutS} s (+${EXIT_SLACK_MS} ms)`,
      exit ? `code ${exit.code} signal ${exit.signal} after ${took} ms${exit.signal === 'SIGTERM' ? WRAPPED_COMMAND_HINT : ''}` : 'still running',
    );

    try {
      await proc.restart();
    } catch (err) {
      throw new CheckInconclusive(`could not restart the target to read history: ${(err as Error).message}`);
    }
    const reader = await ctx.connectAs('reader', writer.user);
    // As a reconnecting client does: join again before retrying (MSG-1 answers a socket not in the channel FORBIDDEN).
    await ctx.ok(reader, 'channel:join', { channelId: r.channelId }, 'the writer joins again after the restart');
    const history = await readHistory(ctx, reader, r.channelId);
    const problems = lostOrChanged(acked, history);
    ctx.expect(problems.length === 0, `all ${acked.length} acked messages in history exactly once with their id and seq`, problems.join('; ') || 'all there');
    for (const send of inDoubt) {
      const before = history.filter((m) => m.authorId === writer.user.id && m.clientMsgId === send.clientMsgId).length;
      ctx.expect(before <= 1, `in-doubt send ${send.clientMsgId} stored at most once after the restart`, `${before} copies`);
    }
    for (const send of inFlightSends) {
      const earlier = acked.find((m) => m.clientMsgId === send.clientMsgId);
      const again = await ctx.ok(reader, 'message:send', send, `retry of ${send.clientMsgId} after the restart (DUR-2)`);
      if (earlier) ctx.expect(again.id === earlier.id && again.seq === earlier.seq, `the retry of acked send ${send.clientMsgId} returns the stored message (MSG-4, DUR-2)`, `${again.id}/${again.seq} for ${earlier.id}/${earlier.seq}`);
    }
    const after = await readHistory(ctx, reader, r.channelId);
    for (const send of inFlightSends) {
      const n = after.filter((m) => m.authorId === writer.user.id && m.clientMsgId === send.clientMsgId).length;
      ctx.expect(n === 1, `send ${send.clientMsgId}, retried after the restart, in history exactly once (DUR-2)`, `${n} copies`);
    }
  },
});

/**
 * Slows the database's answers (a latency toxic on its proxy) when the run controls it, by less than a
 * dependency call may take (DEPENDENCY_TIMEOUT_MS) and more than a drain's first moments; the remover, or
 * undefined when the database is not the harness's.
 */
async function slowDatabase(ctx: CheckContext): Promise<(() => Promise<void>) | undefined> {
  const deps = ctx.capabilities.dependencies;
  if (!deps?.names.includes('postgres')) return undefined;
  const timeoutMs = Number(deps.targetEnv.DEPENDENCY_TIMEOUT_MS ?? DEFAULT_DEPENDENCY_TIMEOUT_MS);
  const latency = Math.round(Math.min(IN_FLIGHT_DB_LATENCY_MS, timeoutMs / 2));
  ctx.recorder.note(`postgres answers slowed by ${latency} ms while the in-flight sends are made`);
  return deps.addToxic('postgres', { type: 'latency', stream: 'upstream', attributes: { latency, jitter: 0 } });
}

type DrainShown = { kind: 'answered'; status: number; body: unknown } | { kind: 'refused' } | { kind: 'not seen' };

/**
 * Waits, at most DRAIN_SEEN_MS, for the drain to show: health on a new connection says draining, or a new
 * TCP connection is refused (the listener closed, as HLTH-3 allows). Both are asked side by side, often: a
 * health request accepted just before the listener closed may wait on a slowed database for a while.
 */
async function drainShows(ctx: CheckContext): Promise<DrainShown> {
  const deadline = performance.now() + DRAIN_SEEN_MS;
  let shown: DrainShown | undefined;
  const poll = async (ask: () => Promise<DrainShown | undefined>) => {
    while (shown === undefined && performance.now() < deadline) {
      const seen = await ask();
      if (seen) shown ??= seen;
      // Often: the send made once the drain shows must reach the target before it ends its sockets.
      else await new Promise((r) => setTimeout(r, 20));
    }
  };
  const healthSaysDraining = async (): Promise<DrainShown | undefined> => {
    try {
      const h = await ctx.http.send({ path: HTTP_PATHS.health, timeoutMs: 1_000 });
      const parsed = HealthResponse.safeParse(h.body);
      return parsed.success && parsed.data.draining ? { kind: 'answered', status: h.status, body: h.body } : undefined;
    } catch {
      return undefined; // unreachable or slow: the listener's side decides
    }
  };
  const { hostname, port } = new URL(ctx.target.url);
  const listenerRefuses = async (): Promise<DrainShown | undefined> => ((await reachableAt(hostname.replace(/^\[|\]$/g, ''), Number(port), 1_000)) === 'refused' ? { kind: 'refused' } : undefined);
  await Promise.race([poll(healthSaysDraining), poll(listenerRefuses)]);
  if (shown?.kind === 'refused') ctx.recorder.note('a new connection refused after SIGTERM (the listener closed, as HLTH-3 allows)');
  return shown ?? { kind: 'not seen' };
}

/**
 * HLTH-1, HLTH-3 (decided in 1.0.1): once the drain shows, health is 503 `unhealthy` with `draining: true`.
 * An answer on a new connection that says draining is judged; otherwise (the listener closed, or no
 * answer said draining within DRAIN_SEEN_MS) the request held open since before the signal is finished,
 * and must be answered so.
 */
async function healthWhileDraining(ctx: CheckContext, held: HeldRequest, shown: DrainShown): Promise<void> {
  const judge = (how: string, status: number, body: unknown) => {
    const parsed = HealthResponse.safeParse(body);
    ctx.expect(
      status === 503 && parsed.success && parsed.data.status === 'unhealthy' && parsed.data.draining,
      `health while draining (${how}): 503 unhealthy, draining: true (HLTH-1, HLTH-3)`,
      `${status} ${parsed.success ? `${parsed.data.status}, draining: ${parsed.data.draining}` : JSON.stringify(body).slice(0, 120)}`,
    );
  };
  try {
    if (shown.kind === 'answered') return judge('a new connection', shown.status, shown.body);
    const answer = await held.finish(3_000);
    ctx.expect(answer.kind === 'answered', 'a health request begun before the SIGTERM is answered (HLTH-3: open connections are served until exit)', answer.kind === 'answered' ? String(answer.status) : answer.why);
    if (answer.kind === 'answered') judge('a connection opened before the signal', answer.status, answer.body);
  } finally {
    held.close();
  }
}
