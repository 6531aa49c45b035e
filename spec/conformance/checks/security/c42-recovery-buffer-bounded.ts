import { HTTP_PATHS, SpecDocument } from '../../../http.ts';
import { CheckInconclusive, CheckUnimplemented, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { HttpProbe } from '../../http.ts';
import { withSiblingTarget } from '../sibling-target.ts';
import { msgKey } from '../scene.ts';
import { attemptRecovery, awaySession, describeLeak } from './away-session.ts';

/**
 * The largest published bound this check exceeds: it sends twice the bound and then some, one
 * acked send after another, so a bound of a thousand costs about two thousand sends.
 */
const LARGEST_BOUND_CHECKED = 1_000;
/** The bound a second target is started with when the target's own is larger. */
const SIBLING_BOUND = 100;

/**
 * Finding (issue 9, memory under load): Socket.IO's in-memory recovery keeps every broadcast of the
 * window, so a member sending at its rate limit grows every node's memory. SES-9 bounds what a node
 * holds; what is observable of that bound is its consequence: a socket that missed more broadcasts
 * than the node may hold (twice the published bound, the allowance for a store trimming in blocks)
 * is not recovered, and certainly not recovered with a gap.
 */
export default defineCheck({
  id: 'C42',
  title: 'Recovery is bounded by count: a socket that missed more broadcasts than the published limits.recoveryBufferPackets allows starts afresh (new id, no missed broadcast, no rooms), never recovered with a gap',
  group: 'Security',
  level: 'MUST',
  rules: ['SES-9'],
  timeoutMs: 180_000, // a second target may start within it (slow on a loaded machine)
  async run(ctx: CheckContext) {
    if (!ctx.spec.features.connectionStateRecovery) throw new CheckUnimplemented('the target does not publish features.connectionStateRecovery');
    const bound = ctx.spec.limits.recoveryBufferPackets;
    ctx.expect(bound !== undefined, 'GET /spec publishes limits.recoveryBufferPackets', bound === undefined ? 'absent' : String(bound));
    if (bound === undefined) return;
    if (bound <= LARGEST_BOUND_CHECKED) {
      await overflowScene(ctx, ctx.target.url, bound);
      return;
    }
    // A bound too large to exceed here (the default 10 000): a second process of a harness-started target
    // with a small one, as an operator would set it (CFG-6).
    if (!ctx.target.process) {
      throw new CheckUnimplemented(`the published recovery bound ${bound} is more than this check exceeds (${LARGEST_BOUND_CHECKED}): start the target with RECOVERY_BUFFER_PACKETS of at most ${LARGEST_BOUND_CHECKED}, or let the harness start it (--server-cmd)`, ['harness-started']);
    }
    // Its own Redis keys: a small stream must not trim the one the target's nodes exchange broadcasts through.
    await withSiblingTarget(ctx, { RECOVERY_BUFFER_PACKETS: String(SIBLING_BOUND), REDIS_KEY_PREFIX: 'sockproof-c42:' }, async (sibling) => {
      const doc = SpecDocument.safeParse((await new HttpProbe(sibling.url, ctx.recorder).get(HTTP_PATHS.spec)).body);
      const published = doc.success ? doc.data.limits.recoveryBufferPackets : undefined;
      ctx.expect(published === SIBLING_BOUND, `started with RECOVERY_BUFFER_PACKETS=${SIBLING_BOUND}, it publishes that bound (CFG-6, SES-9)`, String(published));
      if (published === undefined || published > LARGEST_BOUND_CHECKED) return;
      // The harness's relaxed limits (FIX-2) on the sibling too: the check sends hundreds of messages.
      const relaxed = await new HttpProbe(sibling.url, ctx.recorder).send({ method: 'PUT', path: HTTP_PATHS.adminLimits, token: ctx.adminToken, body: ctx.harnessLimits });
      if (relaxed.status !== 200) throw new CheckInconclusive(`fixture PUT ${HTTP_PATHS.adminLimits} on the second target answered ${relaxed.status}`);
      await overflowScene(ctx, sibling.url, published);
    });
  },
});

/**
 * The user drops from a public channel; more broadcasts than the node may hold (twice the bound, and
 * some) are sent there; the user comes back with its pid and offset and must start afresh.
 */
async function overflowScene(ctx: CheckContext, url: string, bound: number): Promise<void> {
  const overflow = 2 * bound + 50;
  const s = await awaySession(ctx, async ({ channelId }) => {
    const sender = await ctx.connectAs('flooder', await ctx.user('flooder'), { url });
    await ctx.ok(sender, 'channel:join', { channelId });
    for (let i = 1; i <= overflow; i++) {
      const ack = await ctx.call(sender, 'message:send', [{ channelId, text: `overflow ${i}`, clientMsgId: msgKey(ctx) }]);
      if (ack.kind === 'error' && ack.code === 'RATE_LIMITED') throw new CheckInconclusive(`send ${i} of ${overflow} was rate limited: the check needs the harness's relaxed limits (FIX-2)`);
      if (ack.kind !== 'ok') throw new CheckInconclusive(`send ${i} of ${overflow} answered ${ack.kind === 'error' ? ack.code : ack.kind}`);
    }
    ctx.recorder.note(`${overflow} messages sent while the user was away (published bound ${bound}, at most ${2 * bound} held)`);
  }, { private: false, url });
  try {
    let post = '';
    const attempt = await attemptRecovery(ctx, s, 'the user back with its pid and offset', s.user.token, async (conn) => {
      // The round trip is the barrier: whatever was written at connect time has arrived before its ack.
      const reading = await ctx.call(conn, 'message:send', [{ channelId: s.channelId, text: 'back', clientMsgId: msgKey(ctx) }]);
      post = reading.kind === 'error' ? reading.code : reading.kind;
    });
    ctx.require(attempt.outcome.kind === 'connected', 'the user, with its valid token, is accepted', JSON.stringify(attempt.outcome));
    ctx.expect(attempt.outcome.sid !== s.sid, 'a new socket id: the session is not recovered once its missed broadcasts are no longer all held', `${s.sid} -> ${attempt.outcome.sid}`);
    ctx.expect(attempt.leaked.length === 0, 'no missed broadcast written to the fresh socket (a recovery with a gap would write the ones still held)', describeLeak(attempt.leaked));
    ctx.expect(post === 'FORBIDDEN', 'the fresh socket is in no channel (a post answered FORBIDDEN until it joins again)', post);
  } finally {
    await s.lb.close();
  }
}
