import type { CheckContext } from '../../context.ts';
import { BreakersResponse, HealthResponse, HTTP_PATHS, HttpErrorBody, SocketMetrics, SpecDocument } from '../../../index.ts';
import { defineCheck } from '../../check.ts';
import type { z } from 'zod';

export default defineCheck({
  id: 'C01',
  title: 'The Socket.IO endpoint and every spec HTTP endpoint answer with the spec\'s shapes',
  group: 'Architecture',
  level: 'MUST',
  rules: ['TRN-1', 'HTTP-1', 'HLTH-1', 'MET-1', 'BRK-3', 'SPECDOC-1'],
  async run(ctx: CheckContext) {
    const json: Array<[string, z.ZodType, number[]]> = [
      [HTTP_PATHS.spec, SpecDocument, [200]],
      [HTTP_PATHS.health, HealthResponse, [200, 503]],
      [HTTP_PATHS.socketMetrics, SocketMetrics, [200]],
      [HTTP_PATHS.breakers, BreakersResponse, [200]],
    ];
    for (const [path, schema, statuses] of json) {
      const res = await ctx.http.get(path);
      ctx.expect(statuses.includes(res.status), `GET ${path} status ${statuses.join(' or ')}`, String(res.status));
      ctx.expect(res.contentType.startsWith('application/json'), `GET ${path} content-type application/json`, res.contentType || '(none)');
      const parsed = schema.safeParse(res.body);
      ctx.expect(parsed.success, `GET ${path} body fits its schema`, parsed.success ? 'fits' : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ').slice(0, 300));
    }
    const unauth = await ctx.http.send({ method: 'POST', path: HTTP_PATHS.adminChannels, body: { id: ctx.uniqueId('ch') } });
    const body = HttpErrorBody.safeParse(unauth.body);
    ctx.expect(unauth.status === 401 && body.success && body.data.error.code === 'UNAUTHORIZED', 'admin endpoint without token: 401 {error: {code: UNAUTHORIZED}}', `${unauth.status} ${unauth.text.slice(0, 120)}`);

    const user = await ctx.user('u');
    const conn = await ctx.open('u');
    ctx.expect(conn.handshake !== undefined, `Engine.IO session opens at ${ctx.spec.transport.path}`, conn.handshake ? `sid ${conn.handshake.sid}` : conn.closedReason ?? 'no handshake');
    const outcome = await conn.connect({ token: user.token });
    ctx.expect(outcome.kind === 'connected', 'namespace "/" connects with a valid token', JSON.stringify(outcome));
  },
});
