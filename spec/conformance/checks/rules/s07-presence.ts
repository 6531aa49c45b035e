import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { room } from '../scene.ts';

export default defineCheck({
  id: 'S07',
  title: 'Presence: updates reach the user\'s channels; invisible is published as offline',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['PRES-1', 'PRES-2'],
  async run(ctx: CheckContext) {
    const r = await room(ctx, ['subject', 'observer']);
    const [subject, observer] = [r.members[0]!, r.members[1]!];
    const of = (status: string) => (e: unknown) => (e as { userId?: unknown }).userId === subject.user.id && (e as { status?: unknown }).status === status;
    observer.conn.discard('presence');
    const ack = await ctx.ok(subject.conn, 'presence:update', { status: 'away' });
    ctx.expect(ack.status === 'away', 'ack {status: away}', JSON.stringify(ack));
    ctx.expect((await observer.conn.nextEvent('presence', 2_000, of('away'))) !== undefined, 'the observer receives presence away', '');
    await ctx.ok(subject.conn, 'presence:update', { status: 'invisible' });
    ctx.expect((await observer.conn.nextEvent('presence', 2_000, of('offline'))) !== undefined, 'invisible is seen as offline', '');
    const leaked = await observer.conn.eventsWithin('presence', 200, of('invisible'));
    ctx.expect(leaked.length === 0, 'nobody sees "invisible"', `${leaked.length}`);
  },
});
