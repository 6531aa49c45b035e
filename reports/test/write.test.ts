import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReport } from '../json.ts';
import { writeReports } from '../write.ts';
import { mixedReport } from './fixtures.ts';

describe('writeReports', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('writes the four formats for one report, leaving no temporary files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sockproof-write-'));
    dirs.push(dir);
    const out = join(dir, 'nested', 'out');
    const paths = await writeReports(mixedReport(), out);
    expect(paths).toEqual({
      json: join(out, 'report.json'),
      junit: join(out, 'junit.xml'),
      markdown: join(out, 'summary.md'),
      html: join(out, 'report.html'),
    });
    expect((await readdir(out)).sort()).toEqual(['junit.xml', 'report.html', 'report.json', 'summary.md']);
    expect(parseReport(await readFile(paths.json, 'utf8'))).toEqual(mixedReport());
  });
});
