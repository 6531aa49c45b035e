import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { room } from '../scene.ts';

/** CLEANUP_INTERVAL_MS's default (SES-3, CFG-6): the spec does not publish it, so an attached target is assumed to use it. */
const DEFAULT_CLEANUP_INTERVAL_MS = 1_000;
const SWEEPS = 3;

/**
 * SES-3's "only": the sweep removes per-connection state of sockets that are gone, never of live ones.
 * A live socket's state is watched over several sweeps: a typing indicator kept alive by renewals
 * (TYP-3) must not be ended, and the user's entry must still be there when the socket goes, so that its
 * disconnect publishes `offline` (PRES-2). A sweep that took live sockets for gone ones breaks both.
 * The other half, that a gone socket's leftovers are swept and counted, is not visible from outside
 * when disconnect handling releases everything, which SES-3 allows.
 */
export default defineCheck({
  id: 'C41',
  title: 'The periodic sweep spares live sockets: a renewed typing indicator survives several sweeps, and the user\'s last disconnect afterwards still publishes offline',
  group: 'Configuration',
  level: 'MUST',
  rules: ['SES-3', 'TYP-3', 'PRES-2'],
  timeoutMs: 60_000,
  async run(ctx: CheckContext) {
    const configured = Number(ctx.target.process?.env.CLEANUP_INTERVAL_MS);
    const intervalMs = Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_CLEANUP_INTERVAL_MS;
    ctx.recorder.note(`sweep interval ${intervalMs} ms (${Number.isFinite(configured) && configured > 0 ? 'CLEANUP_INTERVAL_MS as the target was started' : 'the spec default: the target was not started with CLEANUP_INTERVAL_MS'})`);
    const windowMs = SWEEPS * intervalMs + 200;
    const renewEveryMs = Math.max(50, Math.floor(ctx.spec.limits.typingTimeoutMs / 3));

    const r = await room(ctx, ['typist', 'watcher']);
    const [typist, watcher] = [r.members[0]!, r.members[1]!];
    const isTypist = (typing: boolean) => (e: unknown) => (e as { userId?: unknown }).userId === typist.user.id && (e as { typing?: unknown }).typing === typing;
    await ctx.ok(typist.conn, 'typing:start', { channelId: r.channelId });
    ctx.expect((await watcher.conn.nextEvent('typing', 2_000, isTypist(true))) !== undefined, 'the watcher sees typing: true', '');

    const renewals = async () => {
      const end = performance.now() + windowMs;
      let n = 0;
      while (performance.now() < end) {
        await new Promise((res) => setTimeout(res, Math.min(renewEveryMs, Math.max(0, end - performance.now()))));
        if (performance.now() >= end) break;
        await ctx.ok(typist.conn, 'typing:start', { channelId: r.channelId }, 'typing renewed');
        n++;
      }
      return n;
    };
    const [ended, renewed] = await Promise.all([watcher.conn.eventsWithin('typing', windowMs, isTypist(false)), renewals()]);
    ctx.expect(
      ended.length === 0,
      `a typing indicator renewed every ${renewEveryMs} ms by a live socket is not ended over ${SWEEPS} sweeps (${windowMs} ms, ${renewed} renewals)`,
      ended.length === 0 ? 'still typing' : `typing: false ${Math.round(ended[0]!.t)} ms into the check`,
    );

    typist.conn.close();
    const offline = await watcher.conn.nextEvent('presence', 2_000, (e) => (e as { userId?: unknown }).userId === typist.user.id && (e as { status?: unknown }).status === 'offline');
    ctx.expect(offline !== undefined, `after ${SWEEPS} sweeps the user's live socket was still theirs: its disconnect, the last, publishes offline (PRES-2)`, offline ? 'seen' : 'nothing within 2 s');
  },
});
