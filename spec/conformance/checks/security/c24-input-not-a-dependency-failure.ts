import { ConnectErrorData } from '../../../errors.ts';
import { HealthResponse, HTTP_PATHS, RecoveryResponse } from '../../../http.ts';
import { describeAck } from '../../ack.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { msgKey } from '../scene.ts';

/** How many times each invalid call is made: twice the default breaker threshold (BRK-2). */
const REPEATS = 10;

const attachment = (url: string) => ({ url, name: 'f.pdf', size: 1, mimeType: 'application/pdf' });

/**
 * Strings that pass a length-and-syntax check but that a store cannot hold (PostgreSQL text holds
 * no NUL; UTF-8 encodes no lone surrogate): the calls of issue 11's finding 1, which reached the
 * store, failed there, and opened its breaker for every user.
 */
function invalidCalls(channelId: string, ctx: CheckContext): Array<{ what: string; event: string; payload: () => unknown }> {
  return [
    { what: 'message:send with NUL in an attachment url', event: 'message:send', payload: () => ({ channelId, text: 'x', clientMsgId: msgKey(ctx), attachments: [attachment('https://example.com/\u0000')] }) },
    { what: 'message:send with a lone surrogate in an attachment url', event: 'message:send', payload: () => ({ channelId, text: 'x', clientMsgId: msgKey(ctx), attachments: [attachment('https://example.com/\ud800')] }) },
    { what: 'message:send with a control character in an attachment url', event: 'message:send', payload: () => ({ channelId, text: 'x', clientMsgId: msgKey(ctx), attachments: [attachment('https://example.com/a\u001bb')] }) },
    { what: 'moderation:ban with NUL in userId', event: 'moderation:ban', payload: () => ({ userId: 'z\u0000z', reason: 'conformance check' }) },
    { what: 'moderation:ban with a lone surrogate in userId', event: 'moderation:ban', payload: () => ({ userId: 'z\udc00z', reason: 'conformance check' }) },
    { what: 'moderation:kick with NUL in userId', event: 'moderation:kick', payload: () => ({ channelId, userId: 'z\u0000z', reason: 'conformance check' }) },
    { what: 'message:edit with NUL in messageId', event: 'message:edit', payload: () => ({ messageId: 'm\u0000m', text: 'x' }) },
  ];
}

export default defineCheck({
  id: 'C24',
  title: 'Invalid input is refused at the edge and never counts as a dependency failure: no breaker trips, other users unaffected',
  group: 'Security',
  level: 'MUST',
  rules: ['BRK-6', 'TEXT-6', 'AUTH-4'],
  timeoutMs: 60_000,
  async run(ctx: CheckContext) {
    const channelId = await ctx.channel();
    // A moderator, so that a target without the edge check reaches the store instead of FORBIDDEN.
    const sender = await ctx.user('sender', ['moderator']);
    const bystander = await ctx.user('bystander');
    const conn = await ctx.connectAs('sender', sender);
    const other = await ctx.connectAs('bystander', bystander);
    await ctx.ok(conn, 'channel:join', { channelId });
    await ctx.ok(other, 'channel:join', { channelId });
    const healthBefore = await ctx.http.get(HTTP_PATHS.health);
    const before = await ctx.metrics();

    for (const { what, event, payload } of invalidCalls(channelId, ctx)) {
      const answers: string[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const r = await ctx.call(conn, event, [payload()]);
        answers.push(r.kind === 'error' ? r.code : describeAck(r));
      }
      ctx.expect(answers.every((a) => a === 'VALIDATION'), `${what}, ${REPEATS} times: each answered VALIDATION (TEXT-6)`, summarise(answers));
    }

    for (const sub of ['nul\u0000sub', 'lone\ud800surrogate']) {
      const answers: string[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const token = await ctx.tokens.mint({ sub });
        const probe = await ctx.open('bad sub');
        const outcome = await probe.connect({ token });
        probe.close();
        const data = outcome.kind === 'refused' ? ConnectErrorData.safeParse(outcome.data) : undefined;
        answers.push(data?.success ? data.data.code : outcome.kind);
      }
      ctx.expect(answers.every((a) => a === 'UNAUTHORIZED'), `a validly signed token whose sub is ${JSON.stringify(sub)}, ${REPEATS} times: connect_error UNAUTHORIZED (AUTH-4)`, summarise(answers));
    }

    // AUTH-4: a sub may be longer than a display name; without a name claim it is shown cut to 100.
    const longSub = ctx.uniqueId('long').padEnd(128, 'x');
    const longConn = await ctx.connectAs('long sub', { id: longSub, roles: ['member'], token: await ctx.tokens.mint({ sub: longSub }) });
    await ctx.ok(longConn, 'channel:join', { channelId });
    const longSent = await ctx.call(longConn, 'message:send', [{ channelId, text: 'a long id', clientMsgId: msgKey(ctx) }]);
    const author = longSent.kind === 'ok' ? (longSent.data as { authorId?: unknown; authorName?: unknown }) : undefined;
    ctx.expect(
      author?.authorId === longSub && author.authorName === longSub.slice(0, 100),
      'a token whose sub has 128 characters and no name: accepted, authorName its first 100 (AUTH-4)',
      author ? `authorName of ${String(author.authorName).length} characters` : describeAck(longSent),
    );

    const statuses: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const res = await ctx.http.send({ method: 'POST', path: HTTP_PATHS.adminChannels, token: ctx.adminToken, body: { id: ctx.uniqueId('nulmember'), private: true, members: ['a\u0000b'] } });
      statuses.push(res.status);
    }
    ctx.expect(statuses.every((s) => s === 400), `POST ${HTTP_PATHS.adminChannels} with a member holding NUL, ${REPEATS} times: 400 (TEXT-6)`, summarise(statuses.map(String)));

    const after = await ctx.metrics();
    const tripped = after.circuitBreakerTrips - before.circuitBreakerTrips;
    ctx.expect(tripped === 0, 'circuitBreakerTrips unchanged by invalid input (BRK-6)', `moved by ${tripped}`);
    const sent = await ctx.call(other, 'message:send', [{ channelId, text: 'another user, right after', clientMsgId: msgKey(ctx) }]);
    ctx.expect(sent.kind === 'ok', "another user's message:send right after: ok (BRK-6)", describeAck(sent));
    const fresh = await ctx.user('newcomer');
    const freshConn = await ctx.open('newcomer');
    const handshake = await freshConn.connect({ token: fresh.token });
    ctx.expect(handshake.kind === 'connected', "another user's handshake right after: accepted", handshake.kind === 'refused' ? JSON.stringify(handshake.data) : handshake.kind);
    const healthAfter = await ctx.http.get(HTTP_PATHS.health);
    const statusOf = (res: { status: number; body: unknown }) => `${res.status} ${HealthResponse.safeParse(res.body).data?.status ?? '?'}`;
    ctx.expect(statusOf(healthAfter) === statusOf(healthBefore), `health unchanged (${statusOf(healthBefore)})`, statusOf(healthAfter));

    if (tripped > 0) {
      // Leave the target as found for the checks after this one (BRK-5).
      const rec = await ctx.http.send({ method: 'POST', path: HTTP_PATHS.recovery, token: ctx.adminToken });
      ctx.recorder.note(`breakers reset after the check: ${rec.status} ${RecoveryResponse.safeParse(rec.body).success ? 'RecoveryResponse' : rec.text.slice(0, 100)}`);
    }
  },
});

/** "VALIDATION x10" or the answers in order when they differ. */
function summarise(answers: string[]): string {
  const distinct = [...new Set(answers)];
  return distinct.length === 1 ? `${distinct[0]} x${answers.length}` : answers.join(', ');
}
