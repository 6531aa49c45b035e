import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { room } from '../scene.ts';

export default defineCheck({
  id: 'S06',
  title: 'Typing: start and stop reach the others, not the typist; leaving ends it at once; only a socket in the channel may start',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['TYP-1', 'TYP-2', 'TYP-3', 'CHAN-3'],
  async run(ctx: CheckContext) {
    const r = await room(ctx, ['typist', 'watcher']);
    const [typist, watcher] = [r.members[0]!, r.members[1]!];
    const is = (typing: boolean) => (e: unknown) => (e as { userId?: unknown }).userId === typist.user.id && (e as { typing?: unknown }).typing === typing;
    const started = await ctx.ok(typist.conn, 'typing:start', { channelId: r.channelId });
    ctx.expect(started.typing === true && started.channelId === r.channelId, 'ack {channelId, typing: true}', JSON.stringify(started));
    ctx.expect((await watcher.conn.nextEvent('typing', 2_000, is(true))) !== undefined, 'the watcher receives typing: true', '');
    const stopped = await ctx.ok(typist.conn, 'typing:stop', { channelId: r.channelId });
    ctx.expect(stopped.typing === false, 'ack {typing: false}', JSON.stringify(stopped));
    ctx.expect((await watcher.conn.nextEvent('typing', 2_000, is(false))) !== undefined, 'the watcher receives typing: false', '');
    await ctx.ok(typist.conn, 'typing:stop', { channelId: r.channelId }, 'stopping when not typing');
    const extra = await watcher.conn.eventsWithin('typing', 300, is(false));
    ctx.expect(extra.length === 0, 'stopping when not typing sends nothing', `${extra.length} events`);
    const self = await typist.conn.eventsWithin('typing', 0);
    ctx.expect(self.length === 0, 'the typist does not receive its own typing events', `${self.length}`);

    await ctx.ok(typist.conn, 'typing:start', { channelId: r.channelId });
    await watcher.conn.nextEvent('typing', 2_000, is(true));
    const leftAt = ctx.recorder.now();
    await ctx.ok(typist.conn, 'channel:leave', { channelId: r.channelId });
    // "At once" is told from the expiry by waiting less than half the typing timeout (the indicator started
    // just before the leave): a server that only lets it expire is caught whatever timeout it publishes.
    const atOnceMs = Math.min(1_000, Math.floor(ctx.spec.limits.typingTimeoutMs / 2));
    const ended = await watcher.conn.nextEvent('typing', atOnceMs, is(false));
    ctx.expect(ended !== undefined, `leaving ends the indicator at once (typing: false within ${atOnceMs} ms, half the typing timeout at most)`, ended ? `${Math.round(ended.t - leftAt)} ms` : 'nothing');
    const outsiderUser = await ctx.user('outsider');
    const outsider = await ctx.connectAs('outsider', outsiderUser);
    await ctx.refused(outsider, 'typing:start', [{ channelId: r.channelId }], 'FORBIDDEN', 'typing:start from a socket not in the channel');
    // TYP-1/2 (decided in 1.0.1): membership alone answers typing, so an unknown channel is FORBIDDEN
    // too, and typing:stop is never refused for where the socket is: there is nothing to stop.
    await ctx.refused(outsider, 'typing:start', [{ channelId: ctx.uniqueId('nowhere') }], 'FORBIDDEN', 'typing:start for an unknown channel');
    for (const [what, channelId] of [['a channel it is not in', r.channelId], ['an unknown channel', ctx.uniqueId('nowhere')]] as const) {
      const stop = await ctx.ok(outsider, 'typing:stop', { channelId }, `typing:stop for ${what}`);
      ctx.expect(stop.typing === false && stop.channelId === channelId, `typing:stop for ${what}: ack {channelId, typing: false}`, JSON.stringify(stop));
    }
    const leakedStops = await watcher.conn.eventsWithin('typing', 300, (e) => (e as { userId?: unknown }).userId === outsiderUser.id);
    ctx.expect(leakedStops.length === 0, 'an outsider\'s typing:stop sends nothing to the channel', `${leakedStops.length} events`);
  },
});
