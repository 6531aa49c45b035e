import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_PATHS, RELAXATION_USERS_MAX, RELAXATIONS_MAX, RELAXATIONS_PATH, relaxationPath, RelaxationList, RelaxationResponse, SpecDocument } from '../../spec/index.ts';
import { adminRequest, getJson } from '../../testing/admin.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';

const LIMITS = { 'message:send': { points: 500, durationMs: 60_000 } };

/** FIX-4 over HTTP on one reference node: its bounds, answers and the caller's address. C35 checks the behaviour. */
describe('PUT/DELETE /admin/limits/relaxations/{id} (FIX-4)', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer();
  }, 90_000);
  afterAll(async () => {
    await server?.dispose();
  });

  it('is published in GET /spec', async () => {
    const { body } = await getJson(`${server.url}${HTTP_PATHS.spec}`, SpecDocument);
    expect(body.features.limitRelaxations).toBe(true);
  });

  it('creates (201), renews (200) and ends (200, then 404) a relaxation', async () => {
    const created = await adminRequest(server, 'PUT', relaxationPath('run-1'), { users: ['a', 'b', 'a'], limits: LIMITS, ttlMs: 30_000 });
    expect(created.status).toBe(201);
    const answer = RelaxationResponse.parse(created.body);
    expect(answer).toMatchObject({ created: true, relaxation: { id: 'run-1', users: 2, limits: LIMITS, ttlMs: 30_000 } });
    expect(answer.relaxation.address).toBeUndefined();
    const expiresIn = Date.parse(answer.relaxation.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(25_000);
    expect(expiresIn).toBeLessThanOrEqual(30_000);
    const renewed = await adminRequest(server, 'PUT', relaxationPath('run-1'), { users: ['a'], limits: LIMITS, ttlMs: 30_000 });
    expect(renewed.status).toBe(200);
    expect(RelaxationResponse.parse(renewed.body).created).toBe(false);
    // Listed with its users counted, not named.
    const list = RelaxationList.parse((await adminRequest(server, 'GET', RELAXATIONS_PATH)).body);
    expect(list.relaxations.filter((r) => r.id === 'run-1')).toMatchObject([{ users: 1, limits: LIMITS }]);
    expect(JSON.stringify(list)).not.toContain('"a"');
    expect((await adminRequest(server, 'DELETE', relaxationPath('run-1'))).body).toEqual({ ended: true });
    expect((await adminRequest(server, 'DELETE', relaxationPath('run-1'))).status).toBe(404);
  });

  it("names the caller's address when it relaxes the connection limit (NODE-5)", async () => {
    const res = await adminRequest(server, 'PUT', relaxationPath('run-2'), { users: [], limits: { connection: { points: 1_000, durationMs: 60_000 } }, ttlMs: 5_000 });
    expect(res.status).toBe(201);
    expect(RelaxationResponse.parse(res.body).relaxation.address).toBe('127.0.0.1');
    await adminRequest(server, 'DELETE', relaxationPath('run-2'));
  });

  it.each([
    ['a ttl over an hour', 'x', { users: ['a'], limits: LIMITS, ttlMs: 3_600_001 }],
    ['a ttl under a second', 'x', { users: ['a'], limits: LIMITS, ttlMs: 999 }],
    ['no limit', 'x', { users: ['a'], limits: {}, ttlMs: 5_000 }],
    ['an unknown limit', 'x', { users: ['a'], limits: { 'no:such': { points: 1, durationMs: 1_000 } }, ttlMs: 5_000 }],
    [`${RELAXATION_USERS_MAX + 1} users`, 'x', { users: Array.from({ length: RELAXATION_USERS_MAX + 1 }, (_, i) => `u${i}`), limits: LIMITS, ttlMs: 5_000 }],
    ['an id with a slash', 'a%2Fb', { users: ['a'], limits: LIMITS, ttlMs: 5_000 }],
  ])('refuses %s: 400 VALIDATION', async (_what, id, body) => {
    const res = await adminRequest(server, 'PUT', `/admin/limits/relaxations/${id}`, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'VALIDATION' } });
  });

  it(`holds at most ${RELAXATIONS_MAX} at once`, async () => {
    const ids = Array.from({ length: RELAXATIONS_MAX }, (_, i) => `many-${i}`);
    for (const id of ids) expect((await adminRequest(server, 'PUT', relaxationPath(id), { users: ['a'], limits: LIMITS, ttlMs: 60_000 })).status).toBe(201);
    const over = await adminRequest(server, 'PUT', relaxationPath('one-too-many'), { users: ['a'], limits: LIMITS, ttlMs: 60_000 });
    expect(over.status).toBe(400);
    // A renewal of a live one is not a new one.
    expect((await adminRequest(server, 'PUT', relaxationPath(ids[0]!), { users: ['a'], limits: LIMITS, ttlMs: 60_000 })).status).toBe(200);
    for (const id of ids) await adminRequest(server, 'DELETE', relaxationPath(id));
  });

  it('needs an admin token (HTTP-2)', async () => {
    const res = await fetch(`${server.url}${relaxationPath('anon')}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ users: ['a'], limits: LIMITS, ttlMs: 5_000 }) });
    expect(res.status).toBe(401);
  });
});
