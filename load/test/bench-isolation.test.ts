import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { benchRunFigures } from '../../reports/bench-figures.ts';
import { parseReport } from '../../reports/json.ts';
import { allowedCpus, tasksetInstalled } from '../../testbed/cpu-affinity.ts';
import { childPids } from '../../testbed/process-tree.ts';
import { REPO_ROOT } from '../../testbed/repo-root.ts';
import { runCli } from '../../testing/run-cli.ts';
import { postgresAvailability, redisAvailability } from '../../testbed/services/index.ts';
import { placeService, planIsolation, splitCores, type CoreSplit } from '../bench/isolation.ts';
import { startBenchTarget } from '../bench/targets.ts';

/** `sockproof bench --isolate-services` (load/bench/isolation.ts): the bench's database on a core of its own. */

describe('splitCores', () => {
  it('gives the services the last core and everything else the rest, and needs two', () => {
    expect(splitCores([0, 1])).toEqual({ app: [0], services: [1] });
    expect(splitCores([0, 2, 5, 7])).toEqual({ app: [0, 2, 5], services: [7] });
    expect(splitCores([3])).toBeUndefined();
    expect(splitCores([])).toBeUndefined();
  });

  it('keeps the hardware threads of the services\' physical core away from the servers', () => {
    // 4 cores with 2 threads each, numbered as Linux does: cpu N and N+4 share a core.
    expect(splitCores([0, 1, 2, 3, 4, 5, 6, 7], (core) => [core % 4, (core % 4) + 4])).toEqual({ app: [0, 1, 2, 4, 5, 6], services: [3, 7] });
    // A sibling the process may not use is not given to anyone.
    expect(splitCores([0, 1, 2, 3], () => [3, 7])).toEqual({ app: [0, 1, 2], services: [3] });
    // One physical core with two threads: nothing would be left for the servers.
    expect(splitCores([0, 1], () => [0, 1])).toBeUndefined();
  });
});

const cores = allowedCpus();
const twoCores = process.platform === 'linux' && cores.length >= 2 && tasksetInstalled();
// Local only: a PostgreSQL from DATABASE_URL is not the bench's to move (its note says so).
const postgres = await postgresAvailability({ quiet: true, needsControl: true });
const redis = await redisAvailability({ quiet: true, needsControl: true });

describe('placeService', () => {
  it.skipIf(!twoCores || postgres.skip !== undefined)(
    'moves a PostgreSQL the bench started, its background workers and every backend it forks afterwards, to the services\' core (needs Linux, 2 cores and a local PostgreSQL)',
    async () => {
      const service = await postgres.start();
      try {
        const split = planIsolation() as CoreSplit;
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

  it.skipIf(!twoCores || postgres.skip !== undefined || redis.skip !== undefined)(
    'a bench target\'s services (2 nodes: PostgreSQL and Redis) run on the services\' core, its servers on the others (needs Linux, 2 cores, local PostgreSQL and Redis)',
    async () => {
      const split = planIsolation() as CoreSplit;
      const target = await startBenchTarget('cluster', split);
      try {
        expect(target.servicePids()).toHaveLength(2);
        for (const service of target.servicePids()) {
          for (const pid of [service, ...childPids(service)]) expect(allowedCpus(pid), `service process ${pid}`).toEqual(split.services);
        }
        // This test process was not moved (the bench moves itself first), so its servers may run anywhere but
        // never only on the services' core.
        for (const node of target.pids()) expect(allowedCpus(node)).not.toEqual(split.services);
        expect(target.notes.join(' ')).not.toMatch(/not moved/);
      } finally {
        await target.close();
      }
    },
    120_000,
  );

  it('leaves a service it did not start where it is, and says so', async () => {
    const notOurs = { url: 'postgres://db.example/x', source: 'url', pid: undefined, stop: async () => {} } as never;
    expect(await placeService(notOurs, { app: [0], services: [1] }, 'PostgreSQL')).toMatch(/^PostgreSQL is not the bench's own: not moved/);
    const inContainer = { url: 'redis://127.0.0.1:1', source: 'container', pid: undefined, stop: async () => {} } as never;
    expect(await placeService(inContainer, { app: [0], services: [1] }, 'Redis')).toMatch(/^Redis runs in a container: not moved/);
    expect(await placeService(notOurs, undefined, 'PostgreSQL')).toBeUndefined();
  });
});

describe('sockproof bench --isolate-services: a short run', () => {
  it.skipIf(!twoCores)(
    'says how it split the cores, in the output and the report, and measures bare Socket.IO and PostgreSQL on it (needs Linux and 2 cores)',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'sockproof-bench-isolated-'));
      try {
        const run = await runCli(['bench', '--isolate-services', '--targets', 'bare,postgres', '--clients', '2', '--duration', '1', '--rounds', '1', '--workers', '1', '--no-lifecycle', '--out', dir], 300_000);
        expect(run.code, run.stderr).toBe(0);
        const split = planIsolation() as CoreSplit;
        const words = `services isolated: servers and clients on core(s) ${split.app.join(',')}, the bench's PostgreSQL and Redis on core ${split.services.join(',')}`;
        expect(run.stdout.split('\n')[0]).toContain(`; ${words}`);
        expect(run.stdout).toMatch(/bare Socket\.IO\s+2\s+[\d.]+ \(1×\)/);
        const report = parseReport(await readFile(join(dir, 'report.json'), 'utf8'));
        expect(JSON.stringify(report.results[0]!.evidence)).toContain(words);
        const postgresRun = report.results.find((r) => r.id === 'BENCH-postgres-2')!;
        if (postgres.skip === undefined) {
          expect(benchRunFigures(postgresRun)?.ackedPerSec, postgresRun.message).toBeGreaterThan(0);
          expect(JSON.stringify(postgresRun.evidence)).not.toMatch(/not moved/);
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    320_000,
  );
});

describe('sockproof bench --isolate-services: refusal', () => {
  it.skipIf(process.platform !== 'linux' || !tasksetInstalled())('on one core: one line, exit 2, before anything starts', async () => {
    const run = promisify(execFile);
    // A short run's flags, should the refusal ever stop working.
    const bench = ['bench', '--isolate-services', '--targets', 'bare', '--clients', '2', '--duration', '1', '--rounds', '1', '--no-lifecycle'];
    const err = await run('taskset', ['--cpu-list', String(cores[0] ?? 0), process.execPath, join(REPO_ROOT, 'bin/sockproof.mjs'), ...bench], { cwd: REPO_ROOT, timeout: 60_000 }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr.trim()).toMatch(/--isolate-services needs 2 or more physical cores, and this process may use 1 core\(s\) \(\d+\)$/);
  });
});
