import { ConnectErrorData } from '../../../errors.ts';
import { describeAck } from '../../ack.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { dependencyControl, nodeMetrics, requireHealthy } from '../outage.ts';

const SETTLE_MS = 5_000;

export default defineCheck({
  id: 'S16',
  title: 'With the database down, remembered look-ups fail static (banned stays out, members join) and unknown ones fail closed',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['DEG-4', 'AUTH-6'],
  needs: ['dependency-control'],
  async run(ctx: CheckContext) {
    const deps = dependencyControl(ctx, 'postgres');
    await requireHealthy(ctx, SETTLE_MS);
    const [mod, known, outsider, banned, stranger] = [await ctx.user('mod', ['moderator']), await ctx.user('known'), await ctx.user('outsider'), await ctx.user('banned'), await ctx.user('stranger')];
    const privateId = await ctx.channel({ private: true, members: [known.id] });
    const unseenId = await ctx.channel({ private: true, members: [known.id] });
    // The look-ups the node can remember: known's ban check and membership, outsider's refusal, banned's ban.
    const modConn = await ctx.connectAs('mod', mod);
    const k1 = await ctx.connectAs('known', known);
    await ctx.ok(k1, 'channel:join', { channelId: privateId });
    await ctx.ok(k1, 'channel:leave', { channelId: privateId });
    const o1 = await ctx.connectAs('outsider', outsider);
    await ctx.refused(o1, 'channel:join', [{ channelId: privateId }], 'FORBIDDEN', 'a non-member joins the private channel (database up)');
    (await ctx.connectAs('banned (before the ban)', banned)).close();
    await ctx.ok(modConn, 'moderation:ban', { userId: banned.id, reason: 'DEG-4 probe', durationMs: 600_000 });
    const staleBefore = (await ctx.metrics()).staleLookups;

    await deps.cut('postgres');
    ctx.recorder.note('postgres cut');
    const k2 = await ctx.connectAs('known (database down)', known);
    const rejoin = await ctx.call(k2, 'channel:join', [{ channelId: privateId }]);
    ctx.expect(rejoin.kind === 'ok', 'a remembered member joins the private channel (fail static)', describeAck(rejoin));
    const unseen = await ctx.call(k2, 'channel:join', [{ channelId: unseenId }]);
    ctx.expect(unseen.kind === 'error' && unseen.code === 'UNAVAILABLE' && (unseen.retryAfterMs ?? 0) > 0, 'a membership never looked up fails closed: UNAVAILABLE with retryAfterMs', describeAck(unseen));
    await ctx.refused(o1, 'channel:join', [{ channelId: privateId }], 'FORBIDDEN', 'the remembered non-member is still refused (nothing fails open)');
    const b = await (await ctx.open('banned (database down)')).connect({ token: banned.token });
    ctx.expect(b.kind === 'refused' && ConnectErrorData.safeParse(b.data).success && (b.data as { code: string }).code === 'BANNED', 'the banned user stays refused BANNED (fail static)', JSON.stringify(b));
    const s = await (await ctx.open('stranger (database down)')).connect({ token: stranger.token });
    const sd = s.kind === 'refused' ? ConnectErrorData.safeParse(s.data) : undefined;
    ctx.expect(sd?.success === true && sd.data.code === 'UNAVAILABLE' && (sd.data.retryAfterMs ?? 0) > 0, 'a user never looked up fails closed: UNAVAILABLE with retryAfterMs', JSON.stringify(s));
    const m = await nodeMetrics(ctx);
    if (staleBefore === undefined || m.staleLookups === undefined) ctx.expect(false, '/metrics/socket carries staleLookups', 'absent');
    else ctx.expect(m.staleLookups - staleBefore >= 3, 'staleLookups moved by at least the 3 remembered answers used', `${staleBefore} -> ${m.staleLookups}`);
  },
});
