import { randomUUID } from 'node:crypto';
import { openFaultLink } from '../../../testbed/fault-proxy/fault-link.ts';
import { CheckInconclusive } from '../check.ts';
import type { CheckContext } from '../context.ts';
import type { Arrival } from '../wire/connection.ts';
import { msgKey } from './scene.ts';

const WAIT_MS = 5_000;
const MISSED = 2;

/** Socket.IO appends the recovery offset as the last argument of a broadcast when recovery is on: pure. */
export function offsetOf(arrival: Arrival): string | undefined {
  const last = arrival.args.at(-1);
  return arrival.args.length > 1 && typeof last === 'string' ? last : undefined;
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
    if (!hello.pid) throw new CheckInconclusive('the CONNECT packet carried no pid although features.connectionStateRecovery is published');
    await ctx.ok(first, 'channel:join', { channelId });
    const senderConn = await ctx.connectAs('sender', sender, { url: where.senderUrl });
    await ctx.ok(senderConn, 'channel:join', { channelId });
    const before = await ctx.ok(senderConn, 'message:send', { channelId, text: 'before the drop', clientMsgId: msgKey(ctx) });
    const seen = await first.nextEvent('message:new', WAIT_MS, (m) => (m as { id?: unknown }).id === before.id);
    ctx.require(seen !== undefined, 'roamer receives the first message', 'nothing');
    const offset = offsetOf(seen);
    if (!offset) throw new CheckInconclusive('message:new carried no recovery offset although features.connectionStateRecovery is published');

    await lb.cut();
    ctx.recorder.note('load balancer cut: the roamer\'s transport closes');
    ctx.require(await first.waitClosed(WAIT_MS), 'the roamer sees its transport close', 'still open');
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
    ctx.expect(live !== undefined, 'the recovered socket is still in its channel', live ? 'received' : 'nothing');

    // The handshake runs again for a recovering socket (SES-5): with a forged token it is refused,
    // where a server that skipped its middleware for recovered sockets would take it back.
    const liveOffset = live ? offsetOf(live) : undefined;
    if (!liveOffset) return;
    await lb.cut();
    ctx.require(await again.waitClosed(WAIT_MS), 'the recovered socket sees its transport close again', 'still open');
    await lb.heal();
    const forged = await ctx.open('roamer with a forged token', { url: lbUrl, transports: ['websocket'] });
    const refused = await forged.connect({ token: `${user.token}x`, pid: hello.pid, offset: liveOffset });
    const code = refused.kind === 'refused' ? (refused.data as { code?: unknown } | null)?.code : undefined;
    ctx.expect(code === 'UNAUTHORIZED', 'a recovery attempt with a forged token is refused with UNAUTHORIZED', JSON.stringify(refused));
  } finally {
    await lb.close();
  }
}
