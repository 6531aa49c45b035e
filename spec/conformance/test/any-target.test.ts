import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReport } from '../../../reports/json.ts';
import { closedPort, oneErrorLine, runCli } from '../../../testing/run-cli.ts';
import { ALL_CHECKS } from '../registry.ts';
import { startBareSocketIoServer } from './fixtures/bare-socketio-server.ts';

const SECRET = 'a-secret-for-a-server-that-checks-no-tokens';

/** The checks that need only a Socket.IO server, as each declares it. */
const SOCKET_IO_ONLY = ALL_CHECKS.filter((c) => c.foundation === 'socket.io').map((c) => c.id);

describe('a target that is not a sockproof implementation gets a full report', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sockproof-any-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['a bare Socket.IO server (GET /spec 404)', 'missing', /answered 404 text\/plain.*"Not Found"/],
    ['a GET /spec that answers junk JSON', 'junk', /answered 200 application\/json.*version: .*expected string/],
  ] as const)('%s: V01 fails with what was found, the Socket.IO checks run, the rest are blocked, exit 1', async (_what, spec, v01Message) => {
    const server = await startBareSocketIoServer(spec);
    try {
      const out = join(dir, spec);
      const run = await runCli(['conformance', '--target', server.url, '--jwt-secret', SECRET, '--out', out, '--quiet']);
      expect(run.code, run.stderr).toBe(1);
      const report = parseReport(await readFile(join(out, 'report.json'), 'utf8'));
      const byId = new Map(report.results.map((r) => [r.id, r]));
      expect(byId.get('V01')?.verdict).toBe('fail');
      expect(byId.get('V01')?.message).toMatch(v01Message);
      expect(SOCKET_IO_ONLY).toEqual(expect.arrayContaining(['P01', 'P04']));
      for (const id of SOCKET_IO_ONLY) expect([id, byId.get(id)?.verdict, byId.get(id)?.message]).toEqual([id, 'pass', 'as specified']);
      const blocked = report.results.filter((r) => r.id !== 'V01' && !SOCKET_IO_ONLY.includes(r.id));
      expect(blocked).toHaveLength(ALL_CHECKS.length - SOCKET_IO_ONLY.length);
      for (const r of blocked) {
        expect(r.verdict).toBe('unimplemented');
        expect(r.blockedBy).toBe('V01');
        expect(r.message).toMatch(/^blocked by V01: GET \/spec answered/);
      }
      const headline = run.stdout.trim().split('\n').at(-1);
      expect(headline).toBe(report.summary.headline);
      expect(headline).toMatch(new RegExp(`^not conformant: ${SOCKET_IO_ONLY.length} of ${ALL_CHECKS.length + 1} checks passed; 1 failed \\(V01\\); ${blocked.length} blocked by V01`));
      expect(await readFile(join(out, 'summary.md'), 'utf8')).toContain(`${blocked.length} blocked by V01`);
    } finally {
      await server.close();
    }
  }, 150_000);

  it('a target that does not answer at all is still "could not run": exit 2, one line', async () => {
    const run = await runCli(['conformance', '--target', `http://127.0.0.1:${await closedPort()}`, '--jwt-secret', SECRET, '--quiet']);
    expect(run.code).toBe(2);
    expect(oneErrorLine(run.stderr)).toMatch(/^sockproof: target unreachable at http:\/\/127\.0\.0\.1:\d+ /);
  }, 60_000);
});
