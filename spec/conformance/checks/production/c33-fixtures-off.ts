import { HTTP_PATHS, SpecDocument } from '../../../http.ts';
import { relaxationPath, RELAXATIONS_PATH } from '../../../relaxation.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { HttpProbe } from '../../http.ts';
import { withSiblingTarget } from '../sibling-target.ts';

/** Every fixture of FIX-1, FIX-2, FIX-4 and FIX-5, as a harness would call it (the fatal one last: a faulty sibling that serves it ends). */
const FIXTURE_CALLS = [
  { method: 'POST', path: HTTP_PATHS.adminChannels, body: { id: 'c33-fixtures-off', private: false, members: [] } },
  { method: 'PUT', path: HTTP_PATHS.adminLimits, body: { connection: { points: 1, durationMs: 60_000 } } },
  { method: 'DELETE', path: HTTP_PATHS.adminLimits },
  { method: 'PUT', path: relaxationPath('c33-fixtures-off'), body: { users: ['c33'], limits: { connection: { points: 1, durationMs: 60_000 } }, ttlMs: 1_000 } },
  { method: 'DELETE', path: relaxationPath('c33-fixtures-off') },
  { method: 'GET', path: RELAXATIONS_PATH },
  { method: 'POST', path: HTTP_PATHS.adminFatal },
] as const;

export default defineCheck({
  id: 'C33',
  title: 'A production start with ADMIN_FIXTURES=off: every fixture answers 404 NOT_FOUND (with or without an admin token) and GET /spec says fixtures: false',
  group: 'Production readiness',
  level: 'MUST',
  rules: ['FIX-3', 'SPECDOC-1', 'FIX-4'],
  needs: ['harness-started'],
  withoutFixtures: true,
  timeoutMs: 150_000, // a second target starts within it (slow on a loaded machine)
  async run(ctx: CheckContext) {
    ctx.expect(ctx.spec.features.fixtures, 'the target as started serves fixtures: GET /spec features.fixtures true or absent', String(ctx.spec.features.fixtures));
    await withSiblingTarget(ctx, { ADMIN_FIXTURES: 'off' }, async (sibling) => {
      const http = new HttpProbe(sibling.url, ctx.recorder);
      const doc = SpecDocument.safeParse((await http.get(HTTP_PATHS.spec)).body);
      ctx.expect(doc.success && doc.data.features.fixtures === false, 'ADMIN_FIXTURES=off: GET /spec features.fixtures is false', doc.success ? String(doc.data.features.fixtures) : 'no SpecDocument');
      for (const call of FIXTURE_CALLS) {
        for (const token of [ctx.adminToken, undefined]) {
          const res = await http.send({ ...call, token });
          const code = (res.body as { error?: { code?: unknown } } | undefined)?.error?.code;
          const who = token ? 'with the admin token' : 'without a token';
          ctx.expect(res.status === 404 && code === 'NOT_FOUND', `ADMIN_FIXTURES=off: ${call.method} ${call.path} ${who} answers 404 NOT_FOUND (the fixture does not exist)`, `${res.status} ${String(code)}`);
        }
      }
    });
  },
});
