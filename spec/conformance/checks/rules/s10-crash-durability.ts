import type { Message } from '../../../events.ts';
import { readAck } from '../../ack.ts';
import { CheckInconclusive, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { msgKey } from '../scene.ts';
import { lostOrChanged, readHistory } from '../recovery/history.ts';

const BURST = 20;

export default defineCheck({
  id: 'S10',
  title: 'Durability: every message and edit acked before a SIGKILL is in history after a restart, once, with its id and seq; retries land once',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['DUR-1', 'DUR-2', 'MSG-4', 'MSG-7'],
  needs: ['harness-started'],
  destructive: true,
  timeoutMs: 120_000,
  async run(ctx: CheckContext) {
    const proc = ctx.target.process!;
    const user = await ctx.user('durable');
    const channelId = await ctx.channel();
    const conn = await ctx.connectAs('durable', user);
    await ctx.ok(conn, 'channel:join', { channelId });
    const keys = Array.from({ length: BURST }, () => msgKey(ctx));
    const pending = keys.map((clientMsgId, i) => conn.request('message:send', [{ channelId, text: `durable ${i}`, clientMsgId }], 10_000));
    const acked: Message[] = [];
    // SIGKILL the moment the last ack of the burst arrives: nothing gets time to flush after an ack.
    const outcomes = await Promise.all(pending);
    // MSG-7 (decided in 1.0.1): an edit is durable before its ack, as a send is; the kill follows its ack at once.
    const first = readAck('message:send', outcomes[0]!);
    const edit = first.kind === 'ok' ? [{ messageId: (first.data as Message).id, text: 'durable 0, edited' }] : undefined;
    let editOutcome = edit ? await conn.request('message:edit', edit, 10_000) : undefined;
    if (edit && editOutcome?.kind === 'closed') {
      // A heartbeat missed on a loaded machine closes the transport; a client edits again, as may the check.
      ctx.recorder.note(`the connection closed before the edit's ack (${editOutcome.reason}): editing again from a new socket`);
      editOutcome = await (await ctx.connectAs('durable (edit again)', user)).request('message:edit', edit, 10_000);
    }
    proc.signal('SIGKILL');
    ctx.recorder.note('SIGKILL sent right after the last ack (the edit\'s)');
    for (const o of outcomes) {
      const r = readAck('message:send', o);
      if (r.kind === 'ok') acked.push(r.data as Message);
    }
    ctx.expect(acked.length === BURST, `all ${BURST} sends acked before the kill`, String(acked.length));
    const editAck = editOutcome ? readAck('message:edit', editOutcome) : undefined;
    const edited = editAck?.kind === 'ok' ? (editAck.data as Message) : undefined;
    ctx.expect(edited !== undefined, 'the edit of the first message acked before the kill', editAck ? JSON.stringify(editAck).slice(0, 160) : 'no acked send to edit');
    await proc.waitExit(5_000);
    try {
      await proc.restart();
    } catch (err) {
      throw new CheckInconclusive(`could not restart the target: ${(err as Error).message}`);
    }
    const again = await ctx.connectAs('durable (after restart)', user);
    await ctx.ok(again, 'channel:join', { channelId });
    const history = await readHistory(ctx, again, channelId);
    const problems = lostOrChanged(acked, history);
    ctx.expect(problems.length === 0, `the ${acked.length} acked messages in history exactly once, same id and seq (DUR-1)`, problems.join('; ') || 'all there');
    if (edited) {
      const stored = history.find((m) => m.id === edited.id);
      ctx.expect(stored?.text === edited.text && stored.editedAt === edited.editedAt, 'the acked edit is in history after the restart: its text and editedAt (MSG-7)', stored ? `${JSON.stringify(stored.text)} editedAt ${stored.editedAt}` : 'message missing');
    }
    const original = acked[0];
    if (original) {
      const retried = await ctx.ok(again, 'message:send', { channelId, text: 'durable 0', clientMsgId: original.clientMsgId }, 'a retry after the crash');
      ctx.expect(retried.id === original.id && retried.seq === original.seq, 'the retry returns the stored message (DUR-2)', `${retried.id} seq ${retried.seq}`);
    }
  },
});
