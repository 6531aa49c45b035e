import type { CheckContext } from '../../context.ts';
import { BanResult, KickedEvent, SessionEnded } from '../../../events.ts';
import { defineCheck } from '../../check.ts';
import { msgKey } from '../scene.ts';

const CROSS_MS = 5_000;
const idOf = (m: unknown) => (m as { id?: unknown } | undefined)?.id;
const show = (a: { args: unknown[] } | undefined) => (a ? JSON.stringify(a.args[0]) : `nothing within ${CROSS_MS} ms`);

export default defineCheck({
  id: 'C06',
  title: 'Broadcasts, presence and moderation cross between nodes of a multi-node target',
  group: 'Architecture',
  level: 'MUST',
  rules: ['MSG-2', 'CHAN-4', 'NODE-1'],
  needs: ['multi-node'],
  async run(ctx: CheckContext) {
    const peer = ctx.capabilities.peers[0]!;
    const [a, b, mod, kicked, banned] = [await ctx.user('here'), await ctx.user('there'), await ctx.user('mod', ['moderator']), await ctx.user('kicked'), await ctx.user('banned')];
    const channelId = await ctx.channel();
    const here = await ctx.connectAs('here (node 1)', a);
    const there = await ctx.connectAs('there (node 2)', b, { url: peer });
    const modConn = await ctx.connectAs('mod (node 1)', mod);
    const kickedConn = await ctx.connectAs('kicked (node 2)', kicked, { url: peer });
    const bannedConn = await ctx.connectAs('banned (node 2)', banned, { url: peer });
    for (const c of [here, there, modConn, kickedConn, bannedConn]) await ctx.ok(c, 'channel:join', { channelId });

    const sent = await ctx.ok(here, 'message:send', { channelId, text: 'across nodes', clientMsgId: msgKey(ctx) });
    const got = await there.nextEvent('message:new', CROSS_MS, (m) => idOf(m) === sent.id);
    ctx.expect(got !== undefined, 'message:new reaches the socket on the other node', show(got));

    const edited = await ctx.ok(here, 'message:edit', { messageId: sent.id, text: 'edited across nodes' });
    const upd = await there.nextEvent('message:updated', CROSS_MS, (m) => idOf(m) === sent.id);
    ctx.expect(upd !== undefined && (upd.args[0] as { text?: unknown }).text === edited.text, 'message:updated reaches the other node', show(upd));

    await ctx.ok(there, 'typing:start', { channelId });
    const typing = await here.nextEvent('typing', CROSS_MS, (t) => (t as { userId?: unknown }).userId === b.id);
    ctx.expect(typing !== undefined && (typing.args[0] as { typing?: unknown }).typing === true, 'typing from node 2 reaches node 1', show(typing));

    await ctx.ok(here, 'presence:update', { status: 'away' });
    const pres = await there.nextEvent('presence', CROSS_MS, (p) => (p as { userId?: unknown }).userId === a.id);
    ctx.expect(pres !== undefined && (pres.args[0] as { status?: unknown }).status === 'away', 'presence from node 1 reaches node 2', show(pres));

    // PRES-2 across nodes: offline only when the user has no socket left on any node.
    const aOnPeer = await ctx.connectAs('here#2 (node 2)', a, { url: peer });
    await ctx.ok(aOnPeer, 'channel:join', { channelId });
    here.close();
    const early = await there.eventsWithin('presence', 1_000, (p) => (p as { userId?: unknown; status?: unknown }).userId === a.id && (p as { status?: unknown }).status === 'offline');
    ctx.expect(early.length === 0, 'no offline while the user still has a socket on node 2', early.length ? JSON.stringify(early[0]!.args[0]) : 'none');
    aOnPeer.close();
    const offline = await there.nextEvent('presence', CROSS_MS, (p) => (p as { userId?: unknown; status?: unknown }).userId === a.id && (p as { status?: unknown }).status === 'offline');
    ctx.expect(offline !== undefined, 'offline once the user\'s last socket (any node) is gone', show(offline));

    // Moderation from node 1 reaches sockets on node 2 (MOD-2, MOD-3).
    const kick = await ctx.ok(modConn, 'moderation:kick', { channelId, userId: kicked.id, reason: 'across nodes' });
    ctx.expect(kick.socketsRemoved === 1, 'kick counts the socket on the other node', String(kick.socketsRemoved));
    const k = await kickedConn.nextEvent('moderation:kicked', CROSS_MS);
    ctx.expect(k !== undefined && KickedEvent.safeParse(k.args[0]).success, 'moderation:kicked reaches node 2', show(k));
    await ctx.refused(kickedConn, 'message:send', [{ channelId, text: 'x', clientMsgId: msgKey(ctx) }], 'FORBIDDEN', 'the kicked user sends on node 2');

    const ban = await ctx.ok(modConn, 'moderation:ban', { userId: banned.id, reason: 'across nodes', durationMs: 60_000 });
    ctx.expect(BanResult.safeParse(ban).success && ban.socketsDisconnected === 1, 'ban counts the socket on the other node', JSON.stringify(ban));
    const ended = await bannedConn.nextEvent('session:ended', CROSS_MS);
    const parsed = ended ? SessionEnded.safeParse(ended.args[0]) : undefined;
    ctx.expect(parsed?.success === true && parsed.data.code === 'BANNED', 'session:ended BANNED reaches node 2', show(ended));
    ctx.expect(await bannedConn.waitClosed(CROSS_MS), 'the banned socket on node 2 is disconnected', bannedConn.isOpen ? 'still open' : 'closed');
  },
});
