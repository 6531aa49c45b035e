import { randomUUID } from 'node:crypto';
import { openFaultLink } from '../../../testbed/fault-proxy/fault-link.ts';
import { CheckInconclusive } from '../check.ts';
import type { CheckContext } from '../context.ts';
import type { Arrival, WireConnection } from '../wire/connection.ts';
import { msgKey } from './scene.ts';

const WAIT_MS = 5_000;
const MISSED = 2;
/**
 * A refused handshake leaves nothing to wait on (no namespace, so no round trip): frames a server
 * might still write after its CONNECT_ERROR are looked for during this window.
 */
export const AFTER_REFUSAL_MS = 1_000;

/** Socket.IO appends the recovery offset as the last argument of a broadcast when recovery is on: pure. */
export function offsetOf(arrival: Arrival): string | undefined {
  const last = arrival.args.at(-1);
  return arrival.args.length > 1 && typeof last === 'string' ? last : undefined;
}

/**
 * Takes every queued event frame that names a missed message or the channel. `moderation:kicked`
 * is no leak: telling a user it was kicked from the channel is what MOD-2 asks for.
 */
export async function carriedChannelData(conn: WireConnection, s: { channelId: string; missedIds: readonly string[] }): Promise<Arrival[]> {
  const out: Arrival[] = [];
  for (let a = await conn.nextPacket('EVENT', 0); a; a = await conn.nextPacket('EVENT', 0)) {
    if (a.event === 'moderation:kicked') continue;
    const text = JSON.stringify(a.args);
    if (text.includes(s.channelId) || s.missedIds.some((id) => text.includes(id))) out.push(a);
  }
  return out;
}

export function describeLeak(leaked: Arrival[]): string {
  return leaked.length === 0 ? 'none' : leaked.map((a) => `${a.event} ${JSON.stringify(a.args).slice(0, 120)}`).join('; ');
}

/**
 * Connection state recovery, observed: a loopback "load balancer" (the fault proxy) carries a
 * client to the target; its transport is cut while messages are sent; it comes back through the
 * balancer, now pointing at `returnTo`, with its pid and offset, and must get its socket id, the
 * messages it missed in order, and its rooms. P06 returns to the same node, S14 to another one.
 */
export async function recoveryScene(ctx: CheckContext, where: { senderUrl: string; returnTo: string; label: string }): Promise<void> {
  const lb = await openFaultLink(ctx.target.url, `lb-${randomUUID().slice(0, 8)}`);
  try {
    const lbUrl = lb.clientUrl;
    const [user, sender] = [await ctx.user('roamer'), await ctx.user('sender')];
    const channelId = await ctx.channel();
    const first = await ctx.open('roamer via lb', { url: lbUrl, transports: ['websocket'] });
    const hello = await first.connect({ token: user.token });
    ctx.require(hello.kind === 'connected', 'roamer connects through the load balancer', JSON.stringify(hello));
    // SES-4: what GET /spec publishes is offered; Socket.IO's CONNECT carries a pid exactly when it is.
    ctx.require(hello.pid !== undefined, 'the CONNECT offers recovery (a pid), as features.connectionStateRecovery publishes (SES-4)', 'no pid');
    await ctx.ok(first, 'channel:join', { channelId });
    const senderConn = await ctx.connectAs('sender', sender, { url: where.senderUrl });
    await ctx.ok(senderConn, 'channel:join', { channelId });
    const before = await ctx.ok(senderConn, 'message:send', { channelId, text: 'before the drop', clientMsgId: msgKey(ctx) });
    const seen = await first.nextEvent('message:new', WAIT_MS, (m) => (m as { id?: unknown }).id === before.id);
    ctx.require(seen !== undefined, 'roamer receives the first message', seen ? `message:new ${before.id}` : 'nothing');
    const offset = offsetOf(seen);
    if (!offset) throw new CheckInconclusive('message:new carried no recovery offset although features.connectionStateRecovery is published');

    await lb.cut();
    ctx.recorder.note('load balancer cut: the roamer\'s transport closes');
    ctx.require(await first.waitClosed(WAIT_MS), 'the roamer sees its transport close', first.closeState);
    await dropSeen(senderConn, user.id);
    const missed = [];
    for (let i = 1; i <= MISSED; i++) missed.push(await ctx.ok(senderConn, 'message:send', { channelId, text: `missed ${i}`, clientMsgId: msgKey(ctx) }));
    await lb.heal(where.returnTo);
    ctx.recorder.note(`load balancer now points at ${where.label}`);

    const again = await ctx.open(`roamer via lb (${where.label})`, { url: lbUrl, transports: ['websocket'] });
    const back = await again.connect({ token: user.token, pid: hello.pid, offset });
    ctx.require(back.kind === 'connected', `roamer reconnects through ${where.label}`, JSON.stringify(back));
    ctx.expect(back.sid === hello.sid, 'the same socket id (recovered)', `${hello.sid} -> ${back.sid}`);
    const got: string[] = [];
    for (let i = 0; i < MISSED; i++) {
      const m = await again.nextEvent('message:new', WAIT_MS);
      if (!m) break;
      got.push((m.args[0] as { id?: string }).id ?? '?');
    }
    ctx.expect(JSON.stringify(got) === JSON.stringify(missed.map((m) => m.id)), `the ${MISSED} missed messages, in order`, got.join(', ') || 'none');
    // Its rooms came back with it: a new message reaches it.
    const after = await ctx.ok(senderConn, 'message:send', { channelId, text: 'after recovery', clientMsgId: msgKey(ctx) });
    const live = await again.nextEvent('message:new', WAIT_MS, (m) => (m as { id?: unknown }).id === after.id);
    ctx.expect(live !== undefined, 'the recovered socket is still in its channel', live ? `message:new ${after.id}` : 'nothing');

    // The handshake runs again for a recovering socket (SES-5): with a forged token it is refused,
    // where a server that skipped its middleware for recovered sockets would take it back. And it is
    // refused before anything of the session is written (SES-7); another user's valid token starts
    // afresh (SES-6). The attempts go to the first node: across nodes, not where the socket dropped.
    const liveOffset = live ? offsetOf(live) : undefined;
    if (!liveOffset) return;
    await lb.cut();
    ctx.require(await again.waitClosed(WAIT_MS), 'the recovered socket sees its transport close again', again.closeState);
    await dropSeen(senderConn, user.id);
    const missedAgain = await ctx.ok(senderConn, 'message:send', { channelId, text: 'missed while refused', clientMsgId: msgKey(ctx) });
    const data = { channelId, missedIds: [missedAgain.id] };
    await lb.heal(ctx.target.url);
    const forged = await ctx.open('roamer with a forged token', { url: lbUrl, transports: ['websocket'] });
    const refused = await forged.connect({ token: `${user.token}x`, pid: hello.pid, offset: liveOffset });
    const code = refused.kind === 'refused' ? (refused.data as { code?: unknown } | null)?.code : undefined;
    ctx.expect(code === 'UNAUTHORIZED', 'a recovery attempt with a forged token is refused with UNAUTHORIZED', JSON.stringify(refused));
    await forged.waitClosed(AFTER_REFUSAL_MS);
    const leakedToForged = await carriedChannelData(forged, data);
    ctx.expect(leakedToForged.length === 0, 'the refused attempt gets no frame of the missed message', describeLeak(leakedToForged));
    forged.close();

    const other = await ctx.user('other');
    const intruder = await ctx.open('another user with the pid and offset', { url: lbUrl, transports: ['websocket'] });
    const fresh = await intruder.connect({ token: other.token, pid: hello.pid, offset: liveOffset });
    ctx.require(fresh.kind === 'connected', 'another user with a valid token is accepted (as a new socket)', JSON.stringify(fresh));
    ctx.expect(fresh.sid !== hello.sid, 'another user gets a new socket id, not the roamer\'s', `${hello.sid} -> ${fresh.sid}`);
    // The post's round trip is the barrier: missed packets written at connect time arrive before its ack.
    const post = await ctx.call(intruder, 'message:send', [{ channelId, text: 'not my session', clientMsgId: msgKey(ctx) }]);
    ctx.expect(post.kind === 'error' && post.code === 'FORBIDDEN', 'another user is not in the roamer\'s channel (post answered FORBIDDEN)', post.kind === 'error' ? post.code : post.kind);
    const leakedToOther = await carriedChannelData(intruder, data);
    ctx.expect(leakedToOther.length === 0, 'another user gets no frame of the missed message', describeLeak(leakedToOther));
  } finally {
    await lb.close();
  }
}

/**
 * Waits until the target has seen a user's only socket go: PRES-2's offline notice, received by a
 * member of the same channel. Without it, what follows could still reach the socket before the
 * target notices the drop (and nothing would be missed).
 */
export async function dropSeen(witness: WireConnection, userId: string): Promise<void> {
  const gone = await witness.nextEvent('presence', WAIT_MS, (p) => (p as { userId?: unknown }).userId === userId && (p as { status?: unknown }).status === 'offline');
  if (!gone) throw new CheckInconclusive(`no presence offline for ${userId} within ${WAIT_MS} ms of the drop (PRES-2): cannot tell when the target saw it go`);
}
