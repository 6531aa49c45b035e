import { setTimeout as sleep } from 'node:timers/promises';
import { HTTP_PATHS } from '../../../http.ts';
import { RELAXATION_PROPAGATION_MS, RELAXATION_TTL_MAX_MS, relaxationPath, RelaxationEnded, RelaxationList, RelaxationResponse, RELAXATIONS_PATH } from '../../../relaxation.ts';
import { describeAck } from '../../ack.ts';
import { CheckInconclusive, defineCheck } from '../../check.ts';
import type { CheckContext, TestUser } from '../../context.ts';
import type { WireConnection } from '../../wire/connection.ts';
import { nodeHttp } from '../outage.ts';

/** The table's limit under test on every node (FIX-2): two calls a minute, reached in a few calls. */
const BASE_POINTS = 2;
const BASE = { 'presence:update': { points: BASE_POINTS, durationMs: 60_000 } };
/** The relaxation's rule for it: far more than the check makes. */
const RELAXED = { 'presence:update': { points: 1_000, durationMs: 60_000 } };
/** Long enough to be seen on the other node after the propagation bound, short enough to wait out. */
const TTL_MS = 6_000;
/** Scheduling slack after an expiry or a propagation bound before judging. */
const SLACK_MS = 300;

/** The answers (ok or the error code) to `n` presence:update calls. */
async function presenceCalls(ctx: CheckContext, conn: WireConnection, n: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await ctx.call(conn, 'presence:update', [{ status: i % 2 ? 'away' : 'online' }]);
    seen.push(r.kind === 'ok' ? 'ok' : r.kind === 'error' ? r.code : describeAck(r));
  }
  return seen;
}

const limited = (seen: string[]) => seen.includes('RATE_LIMITED');

/** The ids and user counts a node lists in GET /admin/limits/relaxations, or why it gave none. */
async function listed(ctx: CheckContext, url: string): Promise<{ ids: Map<string, number> } | { error: string }> {
  const res = await nodeHttp(ctx, url).send({ method: 'GET', path: RELAXATIONS_PATH, token: ctx.adminToken });
  const list = RelaxationList.safeParse(res.body);
  if (res.status !== 200 || !list.success) return { error: `${res.status} ${res.text.slice(0, 120)}` };
  return { ids: new Map(list.data.relaxations.map((r) => [r.id, r.users])) };
}

export default defineCheck({
  id: 'C35',
  title: 'A relaxation of the limits (FIX-4) covers exactly its users, on every node, ends by itself at its ttl and at once on DELETE',
  group: 'Configuration',
  level: 'MUST',
  rules: ['FIX-4', 'FIX-2'],
  timeoutMs: 60_000,
  async run(ctx: CheckContext) {
    ctx.require(ctx.spec.features.limitRelaxations === true, 'GET /spec states features.limitRelaxations: true (FIX-4, added in 1.0.1)', String(ctx.spec.features.limitRelaxations));
    const peer = ctx.capabilities.peers[0];
    // Relaxed through the first node, observed on the second when there is one (on the first otherwise).
    const other = peer ?? ctx.target.url;
    ctx.recorder.note(peer ? `relaxing through ${ctx.target.url}, observing on ${peer}` : 'one node: relaxing and observing on the same node');
    const nodes = peer ? [undefined, peer] : [undefined];
    const relaxationIds: string[] = [];
    for (const url of nodes) {
      const res = await nodeHttp(ctx, url).send({ method: 'PUT', path: HTTP_PATHS.adminLimits, token: ctx.adminToken, body: BASE });
      if (res.status !== 200) throw new CheckInconclusive(`fixture PUT ${HTTP_PATHS.adminLimits} on ${url ?? ctx.target.url} answered ${res.status}`);
    }
    const put = (id: string, body: unknown) => ctx.http.send({ method: 'PUT', path: relaxationPath(id), token: ctx.adminToken, body });
    try {
      const a: TestUser = await ctx.user('relaxed');
      const b: TestUser = await ctx.user('not-relaxed');
      const aThere = await ctx.connectAs('A (relaxed) on the observing node', a, { url: other });
      const bThere = await ctx.connectAs('B (not listed) on the observing node', b, { url: other });
      const aHere = await ctx.connectAs('A on the relaxing node', a);

      // 1. Relax A: A is relaxed on the other node, B is not.
      const first = ctx.uniqueId('relax');
      relaxationIds.push(first);
      const created = await put(first, { users: [a.id], limits: RELAXED, ttlMs: TTL_MS });
      const answeredAt = performance.now();
      const answer = RelaxationResponse.safeParse(created.body);
      ctx.require(
        created.status === 201 && answer.success && answer.data.created && answer.data.relaxation.users === 1,
        `PUT ${relaxationPath(first)} for A answers 201 RelaxationResponse {created: true, users: 1}`,
        `${created.status} ${created.text.slice(0, 200)}`,
      );
      await sleep(RELAXATION_PROPAGATION_MS + SLACK_MS);
      const shown = await listed(ctx, other);
      ctx.expect('ids' in shown && shown.ids.get(first) === 1, `GET ${RELAXATIONS_PATH} on the observing node lists ${first} with 1 user`, 'ids' in shown ? JSON.stringify([...shown.ids]) : shown.error);
      const aSeen = await presenceCalls(ctx, aThere, BASE_POINTS + 3);
      ctx.expect(!limited(aSeen), `A's ${BASE_POINTS + 3} presence:update calls on the observing node all pass, over the table's ${BASE_POINTS} (relaxed there within ${RELAXATION_PROPAGATION_MS} ms)`, aSeen.join(','));
      const bSeen = await presenceCalls(ctx, bThere, BASE_POINTS + 1);
      ctx.expect(bSeen.at(-1) === 'RATE_LIMITED', `B, not listed, is held to the table: call ${BASE_POINTS + 1} RATE_LIMITED`, bSeen.join(','));

      // Bounds, validated at the edge (while the ttl runs).
      const tooLong = await put(ctx.uniqueId('relax'), { users: ['x'], limits: RELAXED, ttlMs: RELAXATION_TTL_MAX_MS + 1 });
      ctx.expect(tooLong.status === 400, `a ttlMs over ${RELAXATION_TTL_MAX_MS} answers 400 VALIDATION`, `${tooLong.status} ${tooLong.text.slice(0, 120)}`);

      // 2. The ttl passes with no renewal: A is held to the table again.
      const left = TTL_MS - (performance.now() - answeredAt) + SLACK_MS;
      if (left > 0) await sleep(left);
      const aAfter = await presenceCalls(ctx, aThere, BASE_POINTS + 1);
      ctx.expect(limited(aAfter), `after the ttl of ${TTL_MS} ms A is limited again on the observing node (a call of ${BASE_POINTS + 1} RATE_LIMITED)`, aAfter.join(','));

      // 3. DELETE ends a relaxation at once on the node that answers, and on the others within the bound.
      const second = ctx.uniqueId('relax');
      relaxationIds.push(second);
      const again = await put(second, { users: [a.id], limits: RELAXED, ttlMs: 60_000 });
      ctx.require(again.status === 201, `a second relaxation for A (ttl 60 s) answers 201`, `${again.status} ${again.text.slice(0, 200)}`);
      await sleep(RELAXATION_PROPAGATION_MS + SLACK_MS);
      const aRelaxedAgain = await presenceCalls(ctx, aThere, 2);
      ctx.expect(!limited(aRelaxedAgain), 'A is relaxed again on the observing node', aRelaxedAgain.join(','));
      const deleted = await ctx.http.send({ method: 'DELETE', path: relaxationPath(second), token: ctx.adminToken });
      ctx.expect(deleted.status === 200 && RelaxationEnded.safeParse(deleted.body).success, `DELETE ${relaxationPath(second)} answers 200 {ended: true}`, `${deleted.status} ${deleted.text.slice(0, 120)}`);
      const aHereAfterDelete = await presenceCalls(ctx, aHere, 1);
      ctx.expect(limited(aHereAfterDelete), 'right after the DELETE, A is limited again on the node that answered it', aHereAfterDelete.join(','));
      await sleep(RELAXATION_PROPAGATION_MS + SLACK_MS);
      const aThereAfterDelete = await presenceCalls(ctx, aThere, 1);
      ctx.expect(limited(aThereAfterDelete), `within ${RELAXATION_PROPAGATION_MS} ms of the DELETE, A is limited again on the observing node`, aThereAfterDelete.join(','));
      const shownAfter = await listed(ctx, other);
      ctx.expect('ids' in shownAfter && !shownAfter.ids.has(second) && !shownAfter.ids.has(first), `GET ${RELAXATIONS_PATH} on the observing node lists neither the expired nor the deleted relaxation`, 'ids' in shownAfter ? JSON.stringify([...shownAfter.ids]) : shownAfter.error);
      const deletedTwice = await ctx.http.send({ method: 'DELETE', path: relaxationPath(second), token: ctx.adminToken });
      ctx.expect(deletedTwice.status === 404, 'a DELETE of a relaxation that ended answers 404', String(deletedTwice.status));
    } finally {
      for (const id of relaxationIds) await ctx.http.send({ method: 'DELETE', path: relaxationPath(id), token: ctx.adminToken }).catch(() => undefined);
      await ctx.relaxLimits();
      if (peer) {
        const res = await nodeHttp(ctx, peer).send({ method: 'PUT', path: HTTP_PATHS.adminLimits, token: ctx.adminToken, body: ctx.harnessLimits });
        if (res.status !== 200) ctx.recorder.note(`restoring the relaxed limits on ${peer} answered ${res.status}`);
      }
    }
  },
});
