import { setTimeout as sleep } from 'node:timers/promises';
import { AdminLimitsResponse, HTTP_PATHS } from '../../../http.ts';
import { ConnectErrorData } from '../../../errors.ts';
import type { RateLimitName, RateLimitRule } from '../../../limits.ts';
import { describeAck, type AckReading } from '../../ack.ts';
import { CheckInconclusive, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import type { WireConnection } from '../../wire/connection.ts';
import { actualDeltas } from '../production/metric-deltas.ts';
import { msgKey } from '../scene.ts';

/** Above this many points a limit is not driven to N+1 (it would take too long); the check says so. */
const MAX_POINTS_DRIVEN = 200;
/** How long after its RATE_LIMITED answer a socket is watched for being cut off (RATE-2). */
const STAYS_CONNECTED_MS = 300;
/** Scheduling slack allowed on retryAfterMs against the window the harness timed. */
const RETRY_TOLERANCE_MS = 250;
/**
 * RATE-3: before message:send's N+1st call the check waits this long, so a retryAfterMs of the whole
 * window (not what is left of it) exceeds window - elapsed + tolerance, however fast the N calls were.
 */
const INTO_THE_WINDOW_MS = 3 * RETRY_TOLERANCE_MS;

type EventLimit = Exclude<RateLimitName, 'connection'>;

/** Makes the i-th counted call of a limit; call 0 is deliberately invalid (RATE-4: invalid calls count). */
type Caller = (i: number) => Promise<AckReading>;

/** An event's caller; `again` makes the same calls from a new socket of the same user (SES-2: the window is the user's). */
type EventCaller = { conn: WireConnection; call: Caller; again?: () => Promise<Caller> };

async function callers(ctx: CheckContext): Promise<Record<EventLimit, EventCaller>> {
  const channelId = await ctx.channel();
  const setUp = async (name: string, roles: Array<'member' | 'moderator'> = ['member']) => {
    const user = await ctx.user(name, roles);
    const conn = await ctx.connectAs(name, user);
    await ctx.ok(conn, 'channel:join', { channelId });
    return { user, conn };
  };
  const { conn: sender, user: senderUser } = await setUp('sender');
  const send = (conn: WireConnection, i: number) => ctx.call(conn, 'message:send', [{ channelId, text: `n${i}`, clientMsgId: msgKey(ctx) }]);
  const { conn: editor } = await setUp('editor');
  const own = await ctx.ok(editor, 'message:send', { channelId, text: 'to edit', clientMsgId: msgKey(ctx) });
  const { conn: typist } = await setUp('typist');
  const { conn: presence } = await setUp('presence');
  const { conn: kicker } = await setUp('kicker', ['moderator']);
  const { conn: banner } = await setUp('banner', ['moderator']);
  const invalid = (conn: WireConnection, event: string) => ctx.call(conn, event, [{}]);
  return {
    'message:send': {
      conn: sender,
      call: (i) => (i === 0 ? invalid(sender, 'message:send') : send(sender, i)),
      again: async () => {
        const conn = await ctx.connectAs('sender (a new socket)', senderUser);
        await ctx.ok(conn, 'channel:join', { channelId });
        return (i) => send(conn, i);
      },
    },
    'message:edit': { conn: editor, call: (i) => (i === 0 ? invalid(editor, 'message:edit') : ctx.call(editor, 'message:edit', [{ messageId: own.id, text: `edit ${i}` }])) },
    'typing:start': { conn: typist, call: (i) => (i === 0 ? invalid(typist, 'typing:start') : ctx.call(typist, 'typing:start', [{ channelId }])) },
    'presence:update': { conn: presence, call: (i) => (i === 0 ? invalid(presence, 'presence:update') : ctx.call(presence, 'presence:update', [{ status: i % 2 ? 'away' : 'online' }])) },
    'moderation:kick': { conn: kicker, call: (i) => (i === 0 ? invalid(kicker, 'moderation:kick') : ctx.call(kicker, 'moderation:kick', [{ channelId, userId: ctx.uniqueId('absent'), reason: 'rate limit probe' }])) },
    'moderation:ban': { conn: banner, call: (i) => (i === 0 ? invalid(banner, 'moderation:ban') : ctx.call(banner, 'moderation:ban', [{ userId: ctx.uniqueId('victim'), reason: 'rate limit probe', durationMs: 1_000 }])) },
    // RATE-6: the other client events, each on a socket of its own (a join would count for channel:join).
    ...Object.fromEntries(
      await Promise.all(
        (['channel:join', 'channel:leave', 'channel:history', 'typing:stop'] as const).map(async (event) => {
          const conn = await ctx.connectAs(event, await ctx.user(event.replace(':', '-')));
          const payload = event === 'channel:history' ? { channelId, limit: 1 } : { channelId };
          return [event, { conn, call: (i: number) => (i === 0 ? invalid(conn, event) : ctx.call(conn, event, [payload])) }] as const;
        }),
      ),
    ),
  } as Record<EventLimit, EventCaller>;
}

function retryOk(retryAfterMs: number | undefined, rule: RateLimitRule, elapsedMs: number): boolean {
  return retryAfterMs !== undefined && retryAfterMs > 0 && retryAfterMs <= rule.durationMs - elapsedMs + RETRY_TOLERANCE_MS;
}

export default defineCheck({
  id: 'C04',
  title: 'Every rate limit in the table is enforced at N+1 with retryAfterMs, the socket staying connected; a new socket of the user does not reset it',
  group: 'Architecture',
  level: 'MUST',
  rules: ['RATE-1', 'RATE-2', 'RATE-3', 'RATE-4', 'RATE-6', 'FIX-2', 'SES-2', 'ACK-5', 'MET-1'],
  timeoutMs: 60_000,
  async run(ctx: CheckContext) {
    // FIX-2: replacing a limit resets its state. Under the harness's relaxed table this address first makes one
    // handshake more than the published connection limit allows; restored, the limit is driven from zero below.
    const published = ctx.spec.limits.rateLimits.connection;
    if (published !== undefined && published.points <= MAX_POINTS_DRIVEN) {
      const early = await ctx.user('before-restore');
      for (let i = 0; i <= published.points; i++) {
        const c = await ctx.open(`before-restore#${i + 1}`);
        const outcome = await c.connect({ token: early.token });
        c.close();
        ctx.require(outcome.kind === 'connected', `handshake ${i + 1} under the relaxed table accepted`, JSON.stringify(outcome));
      }
    }
    const restored = await ctx.http.send({ method: 'DELETE', path: HTTP_PATHS.adminLimits, token: ctx.adminToken });
    const table = AdminLimitsResponse.safeParse(restored.body);
    if (restored.status !== 200 || !table.success) throw new CheckInconclusive(`DELETE ${HTTP_PATHS.adminLimits} answered ${restored.status}`);
    const limits = table.data.rateLimits;
    try {
      // connection, per IP: N handshakes accepted, the N+1st refused (RATE-2: as connect_error).
      const conn = limits.connection;
      if (conn.points > MAX_POINTS_DRIVEN) ctx.recorder.note(`connection limit of ${conn.points} not driven to N+1`);
      else {
        const user = await ctx.user('dialer');
        const start = performance.now();
        // RATE-4: handshakes are counted before the token is verified, so the first, with a bad token, counts too.
        const badToken = await ctx.open('dialer#1 (a bad token)');
        const refusedFirst = await badToken.connect({ token: 'not-a-jwt' });
        const firstCode = refusedFirst.kind === 'refused' ? ConnectErrorData.safeParse(refusedFirst.data) : undefined;
        ctx.require(firstCode?.success === true && firstCode.data.code === 'UNAUTHORIZED', `handshake 1 of ${conn.points} (a bad token) refused UNAUTHORIZED, and counted (RATE-4; the handshakes made before the restore no longer count, FIX-2)`, JSON.stringify(refusedFirst));
        badToken.close();
        const countedBefore = await ctx.metrics();
        for (let i = 1; i < conn.points; i++) {
          const c = await ctx.open(`dialer#${i + 1}`);
          const outcome = await c.connect({ token: user.token });
          ctx.require(outcome.kind === 'connected', `handshake ${i + 1} of ${conn.points} accepted`, JSON.stringify(outcome));
          c.close();
        }
        const over = await ctx.open(`dialer#${conn.points + 1}`);
        const outcome = await over.connect({ token: user.token });
        const data = outcome.kind === 'refused' ? ConnectErrorData.safeParse(outcome.data) : undefined;
        const elapsed = performance.now() - start;
        // MET-1 (decided in 1.0.1): a refused handshake is a failed connection; rateLimited counts client events only.
        const moved = actualDeltas(countedBefore, await ctx.metrics(), ['failedConnections', 'rateLimited']);
        ctx.expect(moved.failedConnections === 1 && moved.rateLimited === 0, 'the refused handshake moves failedConnections by 1 and rateLimited by 0 (MET-1)', JSON.stringify(moved));
        ctx.expect(
          data?.success === true && data.data.code === 'RATE_LIMITED' && retryOk(data.data.retryAfterMs, conn, elapsed),
          `handshake ${conn.points + 1} refused RATE_LIMITED with 0 < retryAfterMs <= ${conn.durationMs} - elapsed`,
          JSON.stringify(outcome),
        );
      }
      await ctx.relaxLimits();
      const restoredEvents = await ctx.http.send({ method: 'DELETE', path: HTTP_PATHS.adminLimits, token: ctx.adminToken });
      ctx.require(restoredEvents.status === 200, 'published limits restored again for the event limits', String(restoredEvents.status));
      const relaxConnections = await ctx.http.send({ method: 'PUT', path: HTTP_PATHS.adminLimits, token: ctx.adminToken, body: { connection: ctx.harnessLimits.connection ?? { points: 100_000, durationMs: 60_000 } } });
      ctx.require(relaxConnections.status === 200, 'connection limit relaxed for the harness', String(relaxConnections.status));

      const byEvent = await callers(ctx);
      for (const [name, { conn: socket, call, again }] of Object.entries(byEvent) as Array<[EventLimit, EventCaller]>) {
        const rule = limits[name];
        // RATE-6: every client event has a published limit.
        if (rule === undefined) {
          ctx.expect(false, `${name}: a published rate limit`, 'not in the table');
          continue;
        }
        if (rule.points > MAX_POINTS_DRIVEN) {
          ctx.recorder.note(`${name} limit of ${rule.points} not driven to N+1`);
          continue;
        }
        // ACK-5 (decided in 1.0.1): an event without a callback is not a call, so it does not count for the limit.
        socket.emit(name, [{}]);
        const start = performance.now();
        let early: string | undefined;
        for (let i = 0; i < rule.points; i++) {
          const r = await call(i);
          if (r.kind === 'error' && r.code === 'RATE_LIMITED') {
            early = `call ${i + 1} of ${rule.points} already RATE_LIMITED`;
            break;
          }
          if (r.kind === 'missing' || r.kind === 'malformed') {
            early = `call ${i + 1}: ${describeAck(r)}`;
            break;
          }
        }
        ctx.expect(early === undefined, `${name}: ${rule.points} calls (the first invalid) within the limit, after one without a callback (ACK-5)`, early ?? 'all answered');
        if (name === 'message:send' && rule.durationMs > 4 * INTO_THE_WINDOW_MS) await sleep(INTO_THE_WINDOW_MS);
        const over = await call(rule.points);
        const elapsed = performance.now() - start;
        ctx.expect(
          over.kind === 'error' && over.code === 'RATE_LIMITED' && retryOk(over.retryAfterMs, rule, elapsed),
          `${name}: call ${rule.points + 1} answered RATE_LIMITED with 0 < retryAfterMs <= ${rule.durationMs} - elapsed`,
          describeAck(over),
        );
        // RATE-2: it stays connected, not merely until the answer is out (a server cutting off the limited would close it next).
        const cut = await socket.waitClosed(STAYS_CONNECTED_MS);
        ctx.expect(!cut, `${name}: the socket stays connected after RATE_LIMITED (${STAYS_CONNECTED_MS} ms later)`, socket.closedReason ?? 'connected');
        if (socket.isOpen) {
          const after = await ctx.call(socket, 'channel:history', [{ channelId: ctx.uniqueId('nochan') }]);
          ctx.expect(after.kind === 'error' || after.kind === 'ok', `${name}: the socket still answered afterwards`, describeAck(after));
        }
        if (again) {
          // SES-2 (decided in 1.0.1): a per-user window is not per-connection state; reconnecting does not reset it.
          const fresh = await (await again())(rule.points + 1);
          ctx.expect(fresh.kind === 'error' && fresh.code === 'RATE_LIMITED', `${name}: a new socket of the same user is still RATE_LIMITED (the window is the user's, SES-2)`, describeAck(fresh));
        }
      }
    } finally {
      await ctx.relaxLimits();
    }
  },
});
