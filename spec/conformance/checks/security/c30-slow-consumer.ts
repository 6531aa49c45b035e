import { HTTP_PATHS } from '../../../http.ts';
import { CheckInconclusive, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { RawWebSocket } from '../../wire/raw-websocket.ts';
import { fillChannel, MiB, mib, RssSampler } from './bounds-scene.ts';

/** Above this cap the workload would cost the target too much memory for a check: not driven. */
const MAX_CAP_DRIVEN = 64 * MiB;
/** What the kernel may hold of a connection on both ends (socket buffers) besides the server's cap. */
const KERNEL_SLACK = 16 * MiB;
/**
 * Messages in the channel and in each page asked for. Small pages on purpose: a slow target builds up
 * to its in-flight cap (RATE-8) of them at once, and that work must cost little next to the volume
 * asked for, so that the RSS bound below measures the output cap and not the target's speed.
 */
const MESSAGES = 20;
/** The reader asks for a page this often (the report's 20 a second). */
const REQUEST_EVERY_MS = 50;

export default defineCheck({
  id: 'C30',
  title: 'A socket that stops reading is cut at the published outgoing byte limit, the target\'s memory staying bounded',
  group: 'Security',
  level: 'MUST',
  rules: ['RATE-7', 'ACK-6'],
  timeoutMs: 90_000,
  async run(ctx: CheckContext) {
    const cap = ctx.spec.limits.outgoingBufferMaxBytes;
    ctx.require(cap !== undefined, 'limits.outgoingBufferMaxBytes published in GET /spec (RATE-7)', cap === undefined ? 'absent' : mib(cap));
    if (cap > MAX_CAP_DRIVEN) throw new CheckInconclusive(`outgoingBufferMaxBytes ${mib(cap)} is above the ${mib(MAX_CAP_DRIVEN)} this check drives`);

    // A channel whose history page is large: '"' grows in both the JSON text and the HTML.
    const channelId = await ctx.channel();
    const writer = await ctx.connectAs('writer', await ctx.user('writer'));
    await ctx.ok(writer, 'channel:join', { channelId });
    await fillChannel(ctx, writer, channelId, MESSAGES, '"'.repeat(ctx.spec.limits.textMaxCodePoints));
    const page = { channelId, limit: MESSAGES };
    const first = await ctx.call(writer, 'channel:history', [page], 15_000);
    ctx.require(first.kind === 'ok', 'a full history page read', first.kind);
    const pageBytes = Buffer.byteLength(JSON.stringify(first.data));

    // A client that reads is not cut: a few pages at once, under the cap, all answered.
    const fits = Math.max(1, Math.min(3, Math.floor(cap / pageBytes) - 1));
    const reads = await Promise.all(Array.from({ length: fits }, () => ctx.call(writer, 'channel:history', [page], 15_000)));
    ctx.expect(reads.every((r) => r.kind === 'ok') && writer.isOpen, `a reading client gets ${fits} pages of ${mib(pageBytes)} at once and stays connected`, reads.map((r) => r.kind).join(', '));

    // The workload: far more than the cap plus every buffer a kernel may hold.
    const volume = Math.max(48 * MiB, 2 * (cap + KERNEL_SLACK + pageBytes));
    const requests = Math.ceil(volume / pageBytes);
    const before = await ctx.metrics();
    const reader = await RawWebSocket.open(ctx.target.url, ctx.spec.transport.path);
    const user = await ctx.user('stalled');
    const connected = await reader.connect(user.token);
    ctx.require(connected?.startsWith('40') === true, 'the stalled reader connects over a raw WebSocket', connected ?? reader.closedReason ?? 'no answer');
    const rss = await RssSampler.start(ctx);
    reader.pause();
    reader.answerPings = false;
    reader.blindPongs(Math.max(100, Math.floor(ctx.spec.transport.pingIntervalMs / 2)));
    let sent = 0;
    for (; sent < requests && reader.isOpen; sent++) {
      reader.send(`42${sent}${JSON.stringify(['channel:history', page])}`);
      await new Promise((r) => setTimeout(r, REQUEST_EVERY_MS));
    }
    // Let the target finish what it accepted before the peak is read.
    await reader.waitClosed(3_000);
    const growth = await rss.stop();
    const after = await ctx.metrics();
    ctx.recorder.note(`stalled reader: ${sent} of ${requests} requests for ${mib(pageBytes)} pages written (${mib(sent * pageBytes)} asked for); cap ${mib(cap)}; RSS ${mib(rss.baseline)} before, peak growth ${mib(growth)}`);

    // Reading again (and answering pings): a target that never cut it now hands over everything.
    reader.answerPings = true;
    reader.stopPongs();
    reader.resume();
    const closed = await reader.waitClosed(5_000);
    const allowed = cap + KERNEL_SLACK + pageBytes;
    ctx.expect(closed, 'the target closed the stalled connection (RATE-7: a slow consumer is disconnected)', closed ? reader.closedReason ?? 'closed' : `still open after reading ${mib(reader.bytesReceived)}`);
    ctx.expect(reader.bytesReceived <= allowed, `at most the cap plus kernel buffers delivered to it (${mib(allowed)})`, mib(reader.bytesReceived));
    ctx.expect(growth <= volume / 2, `the target's RSS grew far less than the ${mib(sent * pageBytes)} asked for (at most ${mib(volume / 2)})`, mib(growth));
    if (after.slowConsumersDisconnected !== undefined) {
      const cut = after.slowConsumersDisconnected - (before.slowConsumersDisconnected ?? 0);
      ctx.expect(cut >= 1, 'slowConsumersDisconnected counted it', `moved by ${cut}`);
    }
    reader.destroy();

    const health = await ctx.http.get(HTTP_PATHS.health);
    ctx.expect(health.status === 200, 'the target healthy afterwards', String(health.status));
    const still = await ctx.call(writer, 'channel:history', [{ channelId, limit: 1 }]);
    ctx.expect(still.kind === 'ok', 'another client still answered', still.kind);
  },
});
