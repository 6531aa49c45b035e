import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { room } from '../scene.ts';

export default defineCheck({
  id: 'S07',
  title: 'Presence: updates reach the user\'s channels, the user\'s own sockets included; connecting publishes nothing; invisible is published as offline',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['PRES-1', 'PRES-2'],
  async run(ctx: CheckContext) {
    const r = await room(ctx, ['subject', 'observer']);
    const [subject, observer] = [r.members[0]!, r.members[1]!];
    const of = (status: string) => (e: unknown) => (e as { userId?: unknown }).userId === subject.user.id && (e as { status?: unknown }).status === status;
    // PRES-1 (decided in 1.0.1): connecting and joining publish no status; only presence:update and the last disconnect (PRES-2) do.
    const second = await ctx.connectAs('subject#2', subject.user);
    await ctx.ok(second, 'channel:join', { channelId: r.channelId });
    const onConnect = await observer.conn.eventsWithin('presence', 300, (e) => (e as { userId?: unknown }).userId === subject.user.id);
    ctx.expect(onConnect.length === 0, 'a user\'s socket connecting and joining publishes no presence', JSON.stringify(onConnect.map((a) => a.args[0])));
    observer.conn.discard('presence');
    subject.conn.discard('presence');
    second.discard('presence');
    const ack = await ctx.ok(subject.conn, 'presence:update', { status: 'away' });
    ctx.expect(ack.status === 'away', 'ack {status: away}', JSON.stringify(ack));
    ctx.expect((await observer.conn.nextEvent('presence', 2_000, of('away'))) !== undefined, 'the observer receives presence away', '');
    // PRES-1 (decided in 1.0.1): like message:new (MSG-2), every socket in the channel gets it, so a user's other devices stay in step.
    ctx.expect((await subject.conn.nextEvent('presence', 2_000, of('away'))) !== undefined, 'the updating socket receives its own presence away', '');
    ctx.expect((await second.nextEvent('presence', 2_000, of('away'))) !== undefined, 'the user\'s other socket in the channel receives presence away', '');
    await ctx.ok(subject.conn, 'presence:update', { status: 'invisible' });
    ctx.expect((await observer.conn.nextEvent('presence', 2_000, of('offline'))) !== undefined, 'invisible is seen as offline', '');
    const leaked = await observer.conn.eventsWithin('presence', 200, of('invisible'));
    ctx.expect(leaked.length === 0, 'nobody sees "invisible"', `${leaked.length}`);
  },
});
