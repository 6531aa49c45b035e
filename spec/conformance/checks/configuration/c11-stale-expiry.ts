import type { CheckContext } from '../../context.ts';
import { defineCheck } from '../../check.ts';
import { room } from '../scene.ts';

/** Stated tolerance (TYP-3): the indicator may end up to 1 000 ms late, and no more than 100 ms early. */
const LATE_MS = 1_000;
const EARLY_MS = 100;
const NETWORK_SLACK_MS = 200;

export default defineCheck({
  id: 'C11',
  title: 'Stale typing and presence state expires within the configured time',
  group: 'Configuration',
  level: 'MUST',
  rules: ['TYP-3', 'SES-3', 'PRES-2'],
  timeoutMs: 90_000,
  async run(ctx: CheckContext) {
    const timeout = ctx.spec.limits.typingTimeoutMs;
    const r = await room(ctx, ['typist', 'watcher']);
    const typist = r.members[0]!;
    const watcher = r.members[1]!;
    const before = await ctx.metrics();
    const started = ctx.recorder.now();
    await ctx.ok(typist.conn, 'typing:start', { channelId: r.channelId });
    const isTypist = (typing: boolean) => (e: unknown) => (e as { userId?: unknown; typing?: unknown }).userId === typist.user.id && (e as { typing?: unknown }).typing === typing;
    const on = await watcher.conn.nextEvent('typing', 2_000, isTypist(true));
    ctx.expect(on !== undefined, 'the watcher sees typing: true', on ? 'seen' : 'nothing');
    const off = await watcher.conn.nextEvent('typing', timeout + LATE_MS + NETWORK_SLACK_MS + 500, isTypist(false));
    const after = off ? off.t - started : undefined;
    ctx.expect(
      after !== undefined && after >= timeout - EARLY_MS && after <= timeout + LATE_MS + NETWORK_SLACK_MS,
      `typing: false ${timeout} ms (+${LATE_MS} ms, -${EARLY_MS} ms) after the last start, unrenewed`,
      after === undefined ? 'never' : `${Math.round(after)} ms`,
    );
    const m = await ctx.metrics();
    ctx.expect(m.staleEntriesCleaned > before.staleEntriesCleaned, 'staleEntriesCleaned counts the expired indicator (SES-3)', `${before.staleEntriesCleaned} -> ${m.staleEntriesCleaned}`);

    typist.conn.close();
    const offline = await watcher.conn.nextEvent('presence', 2_000, (e) => (e as { userId?: unknown }).userId === typist.user.id && (e as { status?: unknown }).status === 'offline');
    ctx.expect(offline !== undefined, 'presence offline once the user\'s last socket disconnects (PRES-2)', offline ? 'seen' : 'nothing within 2 s');
  },
});
