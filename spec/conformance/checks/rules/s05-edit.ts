import { setTimeout as sleep } from 'node:timers/promises';
import { HTTP_PATHS } from '../../../http.ts';
import { Message } from '../../../events.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { msgKey, room } from '../scene.ts';

/** How long the check waits between a send and its edit, so the two have different timestamps. */
const EDIT_AFTER_MS = 20;

export default defineCheck({
  id: 'S05',
  title: 'Edit: author only, text normalised, editedAt set, id/seq/createdAt kept, message:updated broadcast; NOT_FOUND in a private channel the author can no longer read',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['MSG-7', 'TEXT-1'],
  async run(ctx: CheckContext) {
    const r = await room(ctx, ['author', 'other']);
    const [author, other] = [r.members[0]!, r.members[1]!];
    const m = await ctx.ok(author.conn, 'message:send', { channelId: r.channelId, text: 'draft', clientMsgId: msgKey(ctx) });
    // Timestamps have millisecond resolution: an edit in the send's own millisecond could not show a createdAt moved to the edit.
    await sleep(EDIT_AFTER_MS);
    const edited = await ctx.ok(author.conn, 'message:edit', { messageId: m.id, text: 'final\u0007 e\u0301' });
    ctx.expect(edited.text === 'final \u00e9' && edited.editedAt !== null, 'text normalised and editedAt set', JSON.stringify({ text: edited.text, editedAt: edited.editedAt }));
    ctx.expect(edited.id === m.id && edited.seq === m.seq && edited.createdAt === m.createdAt, 'id, seq and createdAt unchanged', JSON.stringify({ id: edited.id, seq: edited.seq, createdAt: edited.createdAt }));
    const update = await other.conn.nextEvent('message:updated', 2_000, (x) => (x as { id?: unknown }).id === m.id);
    const parsed = update ? Message.safeParse(update.args[0]) : undefined;
    ctx.expect(parsed?.success === true && parsed.data.text === edited.text, 'message:updated sent to the channel', update ? JSON.stringify(update.args[0]).slice(0, 160) : 'nothing');
    await ctx.refused(other.conn, 'message:edit', [{ messageId: m.id, text: 'hijack' }], 'FORBIDDEN', 'another user edits');
    await ctx.refused(author.conn, 'message:edit', [{ messageId: ctx.uniqueId('nomsg'), text: 'x' }], 'NOT_FOUND', 'edit of an unknown id');

    // MSG-7: NOT_FOUND for a message in a private channel the user cannot read, the author's own included
    // (removed from the members by the fixture, as an admin does: CHAN-5, FIX-1).
    const priv = await ctx.channel({ private: true, members: [author.user.id, other.user.id] });
    await ctx.ok(author.conn, 'channel:join', { channelId: priv });
    const secret = await ctx.ok(author.conn, 'message:send', { channelId: priv, text: 'before removal', clientMsgId: msgKey(ctx) });
    const removed = await ctx.http.send({ method: 'POST', path: HTTP_PATHS.adminChannels, token: ctx.adminToken, body: { id: priv, private: true, members: [other.user.id] } });
    ctx.require(removed.status === 200, `POST ${HTTP_PATHS.adminChannels} removes the author from the private channel: 200`, String(removed.status));
    await ctx.refused(author.conn, 'message:edit', [{ messageId: secret.id, text: 'after removal' }], 'NOT_FOUND', 'the author edits in a private channel it can no longer read');
  },
});
