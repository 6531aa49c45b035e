import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialiseReport } from '../json.ts';
import { check, mixedReport, report } from './fixtures.ts';

const BIN = join(import.meta.dirname, '../../bin/sockproof.mjs');

/** Runs the real CLI; resolves with exit code and output instead of rejecting on non-zero. */
function sockproof(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

describe('sockproof report (CLI)', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sockproof-report-'));
    await writeFile(file('before.json'), serialiseReport(report([check('TRN-1', 'pass'), check('AUTH-1', 'pass')])));
    await writeFile(file('after.json'), serialiseReport(mixedReport()));
    await writeFile(file('broken.json'), '{"schema": "sockproof.report", "schemaVersion": 1, "results": [');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('compare exits 0 when nothing regressed', async () => {
    const run = await sockproof('report', 'compare', file('after.json'), file('after.json'));
    expect(run.stdout).toContain('0 regressed');
    expect(run.code).toBe(0);
  });

  it('compare exits 1 on a regression, and --json gives the comparison', async () => {
    const run = await sockproof('report', 'compare', file('before.json'), file('after.json'), '--json');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).regressions.map((r: { id: string }) => r.id)).toEqual(['AUTH-1']);
  });

  it.each([
    ['a missing file', 'nope.json', /^sockproof: .*nope\.json: cannot read report \(no such file\)\n$/],
    ['a malformed file', 'broken.json', /^sockproof: .*broken\.json: not JSON \(.*\)\n$/],
  ])('compare exits 2 with one line for %s', async (_what, name, stderr) => {
    const run = await sockproof('report', 'compare', file('before.json'), file(name));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(stderr);
  });

  it('render writes the grid and each report in every format', async () => {
    const run = await sockproof('report', 'render', file('before.json'), file('after.json'), '--out', file('out'));
    expect(run.code).toBe(0);
    expect((await readdir(file('out'))).sort()).toEqual(
      ['junit-1.xml', 'junit-2.xml', 'report-1.json', 'report-2.json', 'report.html', 'summary-1.md', 'summary-2.md'],
    );
  });
});
