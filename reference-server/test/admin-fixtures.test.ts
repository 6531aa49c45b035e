import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminFatalResponse, HTTP_PATHS, relaxationPath, RELAXATIONS_PATH, SpecDocument } from '../../spec/index.ts';
import { adminRequest, getJson } from '../../testing/admin.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';
import { ConfigError, loadConfig } from '../config.ts';

describe('ADMIN_FIXTURES (FIX-3, OPS-1)', () => {
  it('is on by default; on and off are the only values', () => {
    expect(loadConfig({}).adminFixtures).toBe(true);
    expect(loadConfig({ ADMIN_FIXTURES: 'off' }).adminFixtures).toBe(false);
    expect(() => loadConfig({ ADMIN_FIXTURES: 'false' })).toThrow(ConfigError);
    expect(() => loadConfig({ ADMIN_FIXTURES: 'false' })).toThrow(/^ADMIN_FIXTURES must be on or off \(got "false"\)$/);
  });

  it('a spec document from before FIX-3 (no features.fixtures) still parses, as serving fixtures', async () => {
    const server = await startServer();
    try {
      const { body } = await getJson(`${server.url}${HTTP_PATHS.spec}`, SpecDocument);
      expect(body.features.fixtures).toBe(true);
      const { fixtures: _fixtures, ...older } = body.features;
      expect(SpecDocument.parse({ ...body, features: older }).features.fixtures).toBe(true);
    } finally {
      await server.dispose();
    }
  }, 90_000);
});

describe('a production start with ADMIN_FIXTURES=off (FIX-3)', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ env: { ADMIN_FIXTURES: 'off' } });
  }, 90_000);
  afterAll(async () => {
    await server?.dispose();
  });

  it('GET /spec says features.fixtures: false', async () => {
    const { body } = await getJson(`${server.url}${HTTP_PATHS.spec}`, SpecDocument);
    expect(body.features.fixtures).toBe(false);
    expect(body.features.limitRelaxations).toBe(false);
  });

  it.each([
    ['POST', HTTP_PATHS.adminChannels, { id: 'off', private: false, members: [] }],
    ['PUT', HTTP_PATHS.adminLimits, { connection: { points: 1, durationMs: 1000 } }],
    ['DELETE', HTTP_PATHS.adminLimits, undefined],
    ['PUT', relaxationPath('off'), { users: ['a'], limits: { connection: { points: 1, durationMs: 1000 } }, ttlMs: 1000 }],
    ['DELETE', relaxationPath('off'), undefined],
    ['GET', RELAXATIONS_PATH, undefined],
    ['POST', HTTP_PATHS.adminFatal, undefined],
  ] as const)('%s %s answers 404 NOT_FOUND, to an admin and to anyone', async (method, path, body) => {
    for (const withToken of [true, false]) {
      const res = withToken
        ? await adminRequest(server, method, path, body)
        : await fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : JSON.stringify(body ?? {}) }).then(async (r) => ({ status: r.status, body: await r.json() }));
      expect(res.status, `${method} ${path} with token: ${withToken}`).toBe(404);
      expect(res.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });

  it("keeps the operator's POST /admin/socket/recovery (BRK-5): it is not a fixture", async () => {
    const res = await adminRequest(server, 'POST', HTTP_PATHS.recovery);
    expect(res.status).toBe(200);
  });
});

describe('the fatal fixture POST /admin/fatal (FIX-5, OPS-4)', () => {
  /** Calls the fixture; returns its answer, how the process ended (or 'running' 2 s later) and its fatal log line. */
  async function fatalOn(faults?: string) {
    const server = await startServer({ env: faults ? { SOCKPROOF_FAULTS: faults } : {} });
    try {
      const refused = await fetch(`${server.url}${HTTP_PATHS.adminFatal}`, { method: 'POST' });
      const res = await adminRequest(server, 'POST', HTTP_PATHS.adminFatal);
      const ended = await Promise.race([server.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 2_000))]);
      const fatal = await server.waitForLog((l) => l.level === 'fatal', 2_000).catch(() => undefined);
      return { refused: refused.status, res, ended, fatal };
    } finally {
      await server.dispose();
    }
  }

  it('answers 202 {throwsInMs} to an admin (401 without a token), then the exception outside any handler is logged at fatal and the process exits 1', async () => {
    const { refused, res, ended, fatal } = await fatalOn();
    expect(refused).toBe(401);
    expect(res.status).toBe(202);
    expect(AdminFatalResponse.parse(res.body).throwsInMs).toBeLessThanOrEqual(1_000);
    expect(ended).toEqual({ code: 1, signal: null });
    expect(fatal).toMatchObject({ msg: 'uncaught exception', err: { message: 'fatal fixture (FIX-5): an exception outside any handler' } });
  }, 90_000);

  it.each([
    ['fatal-exits-zero', { code: 0, signal: null }],
    ['fatal-swallowed', 'running'],
  ] as const)('faulty build %s: logged at fatal, then ends as %j', async (fault, expected) => {
    const { res, ended, fatal } = await fatalOn(fault);
    expect(res.status).toBe(202);
    expect(ended).toEqual(expected);
    expect(fatal).toBeDefined();
  }, 90_000);
});
