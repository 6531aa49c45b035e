import { ErrorBody } from '../../../errors.ts';
import { describeAck } from '../../ack.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { RawWebSocket } from '../../wire/raw-websocket.ts';
import { msgKey } from '../scene.ts';
import { fillChannel } from './bounds-scene.ts';

/** ACK-7: acks within 5 s under normal load. */
const ACK_BOUND_MS = 5_000;
/** The burst is sized so that, served one after another, it would keep the target busy this many times ACK-7's bound. */
const BURST_OVER_BOUND = 2;
const BURST_MIN = 200;
const BURST_MAX = 5_000;
const MESSAGES = 100;

/** One answer of the burst, from its ACK packet's text (`43<id>[ack]`). */
function classify(text: string): 'ok' | 'refused' | 'other' {
  const at = text.indexOf('[');
  try {
    const [ack] = JSON.parse(text.slice(at)) as [unknown];
    const a = ack as { ok?: unknown; error?: unknown };
    if (a.ok === true) return 'ok';
    const error = ErrorBody.safeParse(a.error);
    return error.success && error.data.code === 'RATE_LIMITED' && (error.data.retryAfterMs ?? 0) > 0 ? 'refused' : 'other';
  } catch {
    return 'other';
  }
}

export default defineCheck({
  id: 'C31',
  title: 'A burst of events from one socket is refused past the published in-flight cap and does not push another user\'s ack past 5 s',
  group: 'Security',
  level: 'MUST',
  rules: ['RATE-8', 'ACK-7'],
  timeoutMs: 120_000,
  async run(ctx: CheckContext) {
    const max = ctx.spec.limits.inFlightMax;
    ctx.require(max !== undefined, 'limits.inFlightMax published in GET /spec (RATE-8)', String(max ?? 'absent'));

    const channelId = await ctx.channel();
    const bystander = await ctx.connectAs('bystander', await ctx.user('bystander'));
    await ctx.ok(bystander, 'channel:join', { channelId });
    await fillChannel(ctx, bystander, channelId, MESSAGES, 'a page of history costs the target a query and an answer');
    const page = { channelId, limit: MESSAGES };

    // What one history page costs the target now, one at a time: sizes the burst for this machine.
    const timings: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const r = await ctx.call(bystander, 'channel:history', [page]);
      ctx.require(r.kind === 'ok', 'a history page read', r.kind);
      timings.push(performance.now() - t0);
    }
    const perPageMs = Math.max(0.5, timings.sort((a, b) => a - b)[2]!);
    const burst = Math.min(BURST_MAX, Math.max(BURST_MIN, 4 * max, Math.ceil((BURST_OVER_BOUND * ACK_BOUND_MS) / perPageMs)));
    ctx.recorder.note(`a history page takes ${perPageMs.toFixed(1)} ms alone; burst of ${burst} (${((burst * perPageMs) / 1000).toFixed(1)} s of work if all were served); inFlightMax ${max}`);

    const flooder = await RawWebSocket.open(ctx.target.url, ctx.spec.transport.path);
    const user = await ctx.user('flooder');
    const connected = await flooder.connect(user.token);
    ctx.require(connected?.startsWith('40') === true, 'the flooding socket connects over a raw WebSocket', connected ?? flooder.closedReason ?? 'no answer');
    const answers = { ok: 0, refused: 0, other: 0 };
    let answered = 0;
    let allAnswered: () => void = () => {};
    const done = new Promise<void>((resolve) => (allAnswered = resolve));
    flooder.onMessage = (text) => {
      if (!text.startsWith('43')) return;
      answers[classify(text)]++;
      if (++answered === burst) allAnswered();
    };

    // The whole burst in one write, then another user's send right behind it.
    const started = performance.now();
    flooder.sendMany(Array.from({ length: burst }, (_, i) => `42${i}${JSON.stringify(['channel:history', page])}`));
    await new Promise((r) => setTimeout(r, 20));
    const sendStarted = performance.now();
    const sent = await ctx.call(bystander, 'message:send', [{ channelId, text: 'still there?', clientMsgId: msgKey(ctx) }], 60_000);
    const ackMs = performance.now() - sendStarted;
    ctx.expect(sent.kind === 'ok' && ackMs <= ACK_BOUND_MS, `another user's message:send acked ok within ${ACK_BOUND_MS} ms during the burst (ACK-7)`, `${describeAck(sent)} after ${Math.round(ackMs)} ms`);

    // Every burst event answered once (ACK-1), so the target is idle again before the next check.
    await Promise.race([done, flooder.waitClosed(90_000)]);
    const finished = answered === burst;
    const burstMs = performance.now() - started;
    ctx.recorder.note(`burst answered: ${answers.ok} ok, ${answers.refused} RATE_LIMITED, ${answers.other} other, in ${Math.round(burstMs)} ms; the bystander's ack took ${Math.round(ackMs)} ms`);
    ctx.expect(finished, `all ${burst} burst events answered`, `${answered} answered`);
    ctx.expect(answers.refused > 0 && answers.ok + answers.refused === answered, `events past inFlightMax (${max}) refused RATE_LIMITED with retryAfterMs, the rest served`, `${answers.ok} ok, ${answers.refused} refused, ${answers.other} other`);
    ctx.expect(answers.ok < burst / 2, 'most of the burst refused without its work being done', `${answers.ok} of ${burst} served`);
    ctx.expect(flooder.isOpen, 'the flooding socket stays connected (RATE-2: it read every answer)', flooder.closedReason ?? 'connected');
    flooder.destroy();
  },
});
