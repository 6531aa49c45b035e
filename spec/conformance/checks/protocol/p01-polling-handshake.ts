import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { PollingSession } from '../../wire/polling.ts';

export default defineCheck({
  id: 'P01',
  title: 'Handshake over HTTP long-polling: Engine.IO 4 open packet, then a Socket.IO CONNECT to "/"',
  group: 'Protocol',
  level: 'MUST',
  rules: ['TRN-1', 'TRN-2'],
  foundation: 'socket.io',
  async run(ctx: CheckContext) {
    // TRN-1 names the path: a target that publishes another is followed there (every check uses the
    // published path), and caught here.
    const path = ctx.transportPath.replace(/\/+$/, '');
    ctx.expect(path === '/socket.io', 'Socket.IO served at /socket.io (TRN-1; the path GET /spec publishes, or the default)', ctx.transportPath);
    const user = await ctx.user('poller');
    const h = await PollingSession.handshake(ctx.target.url, ctx.transportPath, ctx.recorder, 'poller');
    ctx.require(h.session !== undefined, 'GET ?EIO=4&transport=polling answers an open packet', `${h.status} ${h.body.slice(0, 120)}`);
    const s = h.session;
    ctx.expect(s.open.upgrades.includes('websocket'), 'the open packet offers the websocket upgrade', JSON.stringify(s.open.upgrades));
    const post = await s.post([`40${JSON.stringify({ token: user.token })}`]);
    ctx.expect(post.status === 200 && post.body === 'ok', 'POST of the CONNECT packet answered "ok"', `${post.status} ${post.body}`);
    const got = await s.poll(5_000);
    const connect = got.kind === 'packets' ? got.packets.find((p) => p.startsWith('40')) : undefined;
    let sid: unknown;
    try {
      sid = connect ? (JSON.parse(connect.slice(2)) as { sid?: unknown }).sid : undefined;
    } catch {
      sid = undefined;
    }
    ctx.expect(typeof sid === 'string' && sid.length > 0, 'CONNECT answered 40{"sid":…}', connect ?? JSON.stringify(got));
    const v3 = await PollingSession.handshake(ctx.target.url, ctx.transportPath, ctx.recorder, 'eio3', 3);
    ctx.expect(v3.session === undefined && v3.status === 400, 'an Engine.IO 3 handshake refused with 400 (protocol 4 only)', `${v3.status} ${v3.body.slice(0, 80)}`);
  },
});
