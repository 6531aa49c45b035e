import { AdminChannelResponse, AdminLimitsResponse, HTTP_PATHS } from '../../../http.ts';
import { HttpErrorBody } from '../../../errors.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';

export default defineCheck({
  id: 'S12',
  title: 'HTTP errors and fixtures: 400/401/403/404/413 with {error}, 401 before 413, channels created (201) and replaced (200), limits replaced',
  group: 'Spec rules',
  level: 'MUST',
  rules: ['HTTP-2', 'FIX-1', 'FIX-2', 'CHAN-1'],
  async run(ctx: CheckContext) {
    const member = await ctx.user('member');
    const expectError = async (what: string, res: Promise<{ status: number; body: unknown }>, status: number, code?: string) => {
      const r = await res;
      const body = HttpErrorBody.safeParse(r.body);
      ctx.expect(r.status === status && body.success && (code === undefined || body.data.error.code === code), `${what}: ${status}${code ? ` {error: {code: ${code}}}` : ' {error}'}`, `${r.status} ${JSON.stringify(r.body).slice(0, 120)}`);
    };
    const id = ctx.uniqueId('ch');
    await expectError('no token', ctx.http.send({ method: 'POST', path: HTTP_PATHS.adminChannels, body: { id } }), 401, 'UNAUTHORIZED');
    await expectError('a garbage token', ctx.http.send({ method: 'POST', path: HTTP_PATHS.adminChannels, token: 'x.y.z', body: { id } }), 401, 'UNAUTHORIZED');
    await expectError('a member token', ctx.http.send({ method: 'POST', path: HTTP_PATHS.adminChannels, token: member.token, body: { id } }), 403, 'FORBIDDEN');
    await expectError('an unknown path', ctx.http.send({ method: 'GET', path: `/${ctx.uniqueId('no-such-path')}` }), 404, 'NOT_FOUND');
    await expectError('a bad channel id', ctx.http.send({ method: 'POST', path: HTTP_PATHS.adminChannels, token: ctx.adminToken, body: { id: '' } }), 400, 'VALIDATION');
    await expectError('a bad limits table', ctx.http.send({ method: 'PUT', path: HTTP_PATHS.adminLimits, token: ctx.adminToken, body: { 'message:send': { points: 0, durationMs: 5 } } }), 400, 'VALIDATION');
    const oversized = JSON.stringify({ id, members: ['m'.repeat(70_000)] });
    await expectError('a body over 64 KiB', ctx.http.send({ method: 'POST', path: HTTP_PATHS.adminChannels, token: ctx.adminToken, rawBody: oversized, headers: { 'content-type': 'application/json' } }), 413, 'VALIDATION');
    // HTTP-2 (decided in 1.0.1): authentication comes before the body, so an anonymous client cannot make the server read 64 KiB.
    await expectError('a body over 64 KiB without a token', ctx.http.send({ method: 'POST', path: HTTP_PATHS.adminChannels, rawBody: oversized, headers: { 'content-type': 'application/json' } }), 401, 'UNAUTHORIZED');

    const created = await ctx.http.send({ method: 'POST', path: HTTP_PATHS.adminChannels, token: ctx.adminToken, body: { id, private: false, members: [] } });
    const c = AdminChannelResponse.safeParse(created.body);
    ctx.expect(created.status === 201 && c.success && c.data.created === true, 'create: 201 {created: true}', `${created.status} ${created.text.slice(0, 120)}`);
    const replaced = await ctx.http.send({ method: 'POST', path: HTTP_PATHS.adminChannels, token: ctx.adminToken, body: { id, private: true, members: [member.id] } });
    const r = AdminChannelResponse.safeParse(replaced.body);
    ctx.expect(replaced.status === 200 && r.success && r.data.created === false && r.data.channel.private && r.data.channel.members.includes(member.id), 'replace: 200 {created: false, private, members}', `${replaced.status} ${replaced.text.slice(0, 160)}`);

    // CHAN-1: ids are ChannelIds, A-Z and a-z distinct; the fixture creates the channel it is given.
    const upper = ctx.uniqueId('Case');
    const asGiven = await ctx.http.send({ method: 'POST', path: HTTP_PATHS.adminChannels, token: ctx.adminToken, body: { id: upper, private: false, members: [] } });
    const lower = await ctx.http.send({ method: 'POST', path: HTTP_PATHS.adminChannels, token: ctx.adminToken, body: { id: upper.toLowerCase(), private: false, members: [] } });
    const lowerBody = AdminChannelResponse.safeParse(lower.body);
    ctx.expect(
      asGiven.status === 201 && lower.status === 201 && lowerBody.success && lowerBody.data.channel.id === upper.toLowerCase(),
      `channels ${upper} and ${upper.toLowerCase()} are two channels: each created 201 under its own id (CHAN-1)`,
      `${asGiven.status}, then ${lower.status} ${lower.text.slice(0, 120)}`,
    );

    const put = await ctx.http.send({ method: 'PUT', path: HTTP_PATHS.adminLimits, token: ctx.adminToken, body: { 'message:edit': { points: 7, durationMs: 7_000 } } });
    const t = AdminLimitsResponse.safeParse(put.body);
    ctx.expect(put.status === 200 && t.success && t.data.rateLimits['message:edit'].points === 7, 'PUT /admin/limits answers the effective table with the change', `${put.status} ${put.text.slice(0, 160)}`);
    await ctx.relaxLimits();
  },
});
