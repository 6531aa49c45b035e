import { randomUUID } from 'node:crypto';
import { connectToxiproxy } from '../../../../chaos/toxiproxy/connect.ts';
import { CheckInconclusive, CheckUnimplemented, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import type { Arrival } from '../../wire/connection.ts';
import { msgKey } from '../scene.ts';

const WAIT_MS = 5_000;
const MISSED = 2;

/** Socket.IO appends the recovery offset as the last argument of a broadcast when recovery is on: pure. */
export function offsetOf(arrival: Arrival): string | undefined {
  const last = arrival.args.at(-1);
  return arrival.args.length > 1 && typeof last === 'string' ? last : undefined;
}

/**
 * A loopback "load balancer" (the fault proxy) sends a client to node 1; while its transport is cut,
 * messages are sent on node 2; it comes back through node 2 with its pid and offset and must be recovered.
 */
export default defineCheck({
  id: 'S14',
  title: 'A dropped socket that returns within the recovery window to another node gets its id and the broadcasts it missed, in order',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['NODE-3'],
  needs: ['multi-node'],
  async run(ctx: CheckContext) {
    if (!ctx.spec.features.connectionStateRecovery) throw new CheckUnimplemented('the target does not publish features.connectionStateRecovery');
    const peer = ctx.capabilities.peers[0]!;
    const lb = await connectToxiproxy();
    try {
      const node1 = new URL(ctx.target.url);
      const route = await lb.toxiproxy.createProxy({ name: `lb-${randomUUID().slice(0, 8)}`, listen: '127.0.0.1:0', upstream: `${node1.hostname}:${node1.port}` });
      const lbUrl = `http://127.0.0.1:${route.listen.split(':').at(-1)}`;
      const [user, sender] = [await ctx.user('roamer'), await ctx.user('sender')];
      const channelId = await ctx.channel();
      const first = await ctx.open('roamer via lb (node 1)', { url: lbUrl, transports: ['websocket'] });
      const hello = await first.connect({ token: user.token });
      ctx.require(hello.kind === 'connected', 'roamer connects through the load balancer', JSON.stringify(hello));
      if (!hello.pid) throw new CheckInconclusive('the CONNECT packet carried no pid although features.connectionStateRecovery is published');
      await ctx.ok(first, 'channel:join', { channelId });
      const senderConn = await ctx.connectAs('sender (node 2)', sender, { url: peer });
      await ctx.ok(senderConn, 'channel:join', { channelId });
      const before = await ctx.ok(senderConn, 'message:send', { channelId, text: 'before the drop', clientMsgId: msgKey(ctx) });
      const seen = await first.nextEvent('message:new', WAIT_MS, (m) => (m as { id?: unknown }).id === before.id);
      ctx.require(seen !== undefined, 'roamer receives the first message', 'nothing');
      const offset = offsetOf(seen);
      if (!offset) throw new CheckInconclusive('message:new carried no recovery offset although features.connectionStateRecovery is published');

      const cut = await route.update({ enabled: false, listen: route.listen, upstream: route.upstream });
      ctx.recorder.note('load balancer cut: the roamer\'s transport closes');
      ctx.require(await first.waitClosed(WAIT_MS), 'the roamer sees its transport close', 'still open');
      const missed = [];
      for (let i = 1; i <= MISSED; i++) missed.push(await ctx.ok(senderConn, 'message:send', { channelId, text: `missed ${i}`, clientMsgId: msgKey(ctx) }));
      await cut.update({ enabled: true, listen: cut.listen, upstream: new URL(peer).host });
      ctx.recorder.note('load balancer now points at node 2');

      const again = await ctx.open('roamer via lb (node 2)', { url: lbUrl, transports: ['websocket'] });
      const back = await again.connect({ token: user.token, pid: hello.pid, offset });
      ctx.require(back.kind === 'connected', 'roamer reconnects through node 2', JSON.stringify(back));
      ctx.expect(back.sid === hello.sid, 'the same socket id (recovered)', `${hello.sid} -> ${back.sid}`);
      const got: string[] = [];
      for (let i = 0; i < MISSED; i++) {
        const m = await again.nextEvent('message:new', WAIT_MS);
        if (!m) break;
        got.push((m.args[0] as { id?: string }).id ?? '?');
      }
      ctx.expect(JSON.stringify(got) === JSON.stringify(missed.map((m) => m.id)), `the ${MISSED} missed messages, in order`, got.join(', ') || 'none');
      // Its rooms came back with it: a new message reaches it on node 2.
      const after = await ctx.ok(senderConn, 'message:send', { channelId, text: 'after recovery', clientMsgId: msgKey(ctx) });
      const live = await again.nextEvent('message:new', WAIT_MS, (m) => (m as { id?: unknown }).id === after.id);
      ctx.expect(live !== undefined, 'the recovered socket is still in its channel', live ? 'received' : 'nothing');
    } finally {
      await lb.close();
    }
  },
});
