import { ATTACHMENT_MAX_BYTES, ATTACHMENT_URL_MAX, TEXT_MAX_CODE_POINTS } from '../../../limits.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { msgKey } from '../scene.ts';

const att = (over: Record<string, unknown> = {}) => ({ url: 'https://example.test/f.pdf', name: 'f.pdf', size: 10, mimeType: 'application/pdf', ...over });

export default defineCheck({
  id: 'C16',
  title: 'Input validation at the limits: 2000 and 2001 characters, attachments, ids',
  group: 'Security',
  level: 'MUST',
  rules: ['MSG-3', 'MSG-5', 'CHAN-1', 'ACK-3'],
  async run(ctx: CheckContext) {
    const longId = ctx.uniqueId('c').padEnd(64, 'x');
    const channelId = await ctx.channel();
    const user = await ctx.user('u');
    const conn = await ctx.connectAs('u', user);
    await ctx.ok(conn, 'channel:join', { channelId });
    const send = (extra: Record<string, unknown>) => [{ channelId, text: 'x', clientMsgId: msgKey(ctx), ...extra }];
    const accepts = async (what: string, extra: Record<string, unknown>) => {
      const r = await ctx.call(conn, 'message:send', send(extra));
      ctx.expect(r.kind === 'ok', `${what}: accepted`, r.kind === 'error' ? r.code : r.kind);
    };
    const refuses = (what: string, extra: Record<string, unknown>) => ctx.refused(conn, 'message:send', send(extra), 'VALIDATION', what);

    await accepts(`text of ${TEXT_MAX_CODE_POINTS} characters`, { text: 'a'.repeat(TEXT_MAX_CODE_POINTS) });
    await refuses(`text of ${TEXT_MAX_CODE_POINTS + 1} characters`, { text: 'a'.repeat(TEXT_MAX_CODE_POINTS + 1) });
    await accepts(`text of ${TEXT_MAX_CODE_POINTS} astral code points (${2 * TEXT_MAX_CODE_POINTS} UTF-16 units)`, { text: '😀'.repeat(TEXT_MAX_CODE_POINTS) });
    await refuses(`text of ${TEXT_MAX_CODE_POINTS + 1} astral code points`, { text: '😀'.repeat(TEXT_MAX_CODE_POINTS + 1) });
    await accepts(`${TEXT_MAX_CODE_POINTS} characters plus controls that normalisation removes`, { text: 'a'.repeat(TEXT_MAX_CODE_POINTS) + '\u0000\u0007' });
    await refuses('text over 8000 UTF-16 units, short once normalised', { text: 'a' + '\u0001'.repeat(8000) });
    await refuses('text of control characters only (empty once normalised)', { text: '\u0000\u0001\u007f' });
    await accepts('5 attachments', { attachments: Array.from({ length: 5 }, () => att()) });
    await refuses('6 attachments', { attachments: Array.from({ length: 6 }, () => att()) });
    await refuses('an http: attachment url', { attachments: [att({ url: 'http://example.test/f.pdf' })] });
    await refuses('a javascript: attachment url', { attachments: [att({ url: 'javascript:alert(1)' })] });
    const base = 'https://example.test/';
    await accepts(`an attachment url of ${ATTACHMENT_URL_MAX} characters`, { attachments: [att({ url: base + 'a'.repeat(ATTACHMENT_URL_MAX - base.length) })] });
    await refuses(`an attachment url of ${ATTACHMENT_URL_MAX + 1} characters`, { attachments: [att({ url: base + 'a'.repeat(ATTACHMENT_URL_MAX + 1 - base.length) })] });
    await accepts(`attachment size ${ATTACHMENT_MAX_BYTES}`, { attachments: [att({ size: ATTACHMENT_MAX_BYTES })] });
    await refuses(`attachment size ${ATTACHMENT_MAX_BYTES + 1}`, { attachments: [att({ size: ATTACHMENT_MAX_BYTES + 1 })] });
    await refuses('attachment size -1', { attachments: [att({ size: -1 })] });
    await refuses('attachment mimeType text/html', { attachments: [att({ mimeType: 'text/html' })] });
    await accepts('attachment name of 100 characters', { attachments: [att({ name: 'n'.repeat(100) })] });
    await refuses('attachment name of 101 characters', { attachments: [att({ name: 'n'.repeat(101) })] });
    await accepts('clientMsgId of 128 characters', { clientMsgId: ctx.uniqueId('k').padEnd(128, 'k') });
    await refuses('clientMsgId of 129 characters', { clientMsgId: 'k'.repeat(129) });
    await refuses('clientMsgId with a non-ASCII character', { clientMsgId: 'clé' });

    const created = await ctx.http.send({ method: 'POST', path: '/admin/channels', token: ctx.adminToken, body: { id: longId, private: false, members: [] } });
    ctx.expect(created.status === 201, 'a channel id of 64 characters created', String(created.status));
    if (created.status === 201) await ctx.ok(conn, 'channel:join', { channelId: longId }, 'join a 64-character channel id');
    const bad = await ctx.http.send({ method: 'POST', path: '/admin/channels', token: ctx.adminToken, body: { id: '-starts-with-dash', private: false, members: [] } });
    ctx.expect(bad.status === 400, 'a channel id starting with - refused 400', String(bad.status));
  },
});
