import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { allowedCpus } from '../../testbed/cpu-affinity.ts';
import { childPids } from '../../testbed/process-tree.ts';
import { REPO_ROOT } from '../../testbed/repo-root.ts';
import { postgresAvailability } from '../../testbed/services/index.ts';
import { placeService, splitCores } from '../bench/isolation.ts';

/** `sockproof bench --isolate-services` (load/bench/isolation.ts): the bench's database on a core of its own. */

describe('splitCores', () => {
  it('gives the services the last core and everything else the rest, and needs two', () => {
    expect(splitCores([0, 1])).toEqual({ app: [0], services: [1] });
    expect(splitCores([0, 2, 5, 7])).toEqual({ app: [0, 2, 5], services: [7] });
    expect(splitCores([3])).toBeUndefined();
    expect(splitCores([])).toBeUndefined();
  });
});

const cores = allowedCpus();
const twoCores = process.platform === 'linux' && cores.length >= 2;
// Local only: a PostgreSQL from DATABASE_URL is not the bench's to move (its note says so).
const postgres = await postgresAvailability({ quiet: true, needsControl: true });

describe('placeService', () => {
  it.skipIf(!twoCores || postgres.skip !== undefined)(
    'moves a PostgreSQL the bench started, its background workers and every backend it forks afterwards, to the services\' core (needs Linux, 2 cores and a local PostgreSQL)',
    async () => {
      const service = await postgres.start();
      try {
        const split = splitCores(cores)!;
        expect(await placeService(service, split, 'PostgreSQL')).toBeUndefined();
        for (const pid of [service.pid!, ...childPids(service.pid!)]) expect(allowedCpus(pid)).toEqual(split.services);
        const client = new pg.Client({ connectionString: service.url });
        await client.connect();
        try {
          const backend = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
          expect(allowedCpus(backend)).toEqual(split.services);
        } finally {
          await client.end();
        }
      } finally {
        await service.stop();
      }
    },
    60_000,
  );

  it('leaves a service it did not start where it is, and says so', async () => {
    const notOurs = { url: 'postgres://db.example/x', source: 'url', pid: undefined, stop: async () => {} } as never;
    expect(await placeService(notOurs, { app: [0], services: [1] }, 'PostgreSQL')).toMatch(/PostgreSQL is not the bench's own/);
    expect(await placeService(notOurs, undefined, 'PostgreSQL')).toBeUndefined();
  });
});

describe('sockproof bench --isolate-services: refusal', () => {
  it.skipIf(process.platform !== 'linux')('on one core: one line, exit 2, before anything starts', async () => {
    const run = promisify(execFile);
    const err = await run('taskset', ['--cpu-list', String(cores[0] ?? 0), process.execPath, join(REPO_ROOT, 'bin/sockproof.mjs'), 'bench', '--isolate-services'], { cwd: REPO_ROOT }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr.trim()).toMatch(/--isolate-services needs 2 or more cores, and this process may use 1$/);
  });
});
