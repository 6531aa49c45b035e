import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneErrorLine, runCli } from '../../testing/run-cli.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';

/**
 * `sockproof fuzz --config FILE`: the file chaos and load take points the fuzzer at staging too, played here by
 * one reference node that requires iss and aud (JWT_ISSUER, JWT_AUDIENCE), which the file's HS256 auth mints.
 */
const SECRET = 'fuzz-config-secret-never-printed-0123456789';
const ENV_NAME = 'SOCKPROOF_TEST_FUZZ_SECRET';

describe('sockproof fuzz --config', () => {
  let dir: string;
  let server: ServerProcess;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sockproof-fuzz-config-'));
    server = await startServer({ secret: SECRET, env: { LOG_LEVEL: 'warn', JWT_ISSUER: 'https://issuer.test', JWT_AUDIENCE: 'chat' } });
  }, 60_000);
  afterAll(async () => {
    await server?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('fuzzes the node the file names with its tokens; --config with --target or --env is refused, exit 2; the secret never printed', async () => {
    const file = join(dir, 'staging.json');
    await writeFile(file, JSON.stringify({ nodes: [{ name: 'node-1', url: server.url }], auth: { kind: 'hs256', secret: { env: ENV_NAME }, issuer: 'https://issuer.test', audience: 'chat' }, scenarios: ['latency'] }));
    const r = await runCli(['fuzz', '--config', file, '--frames', '400', '--batch', '200', '--seed', '5', '--json'], 120_000, { [ENV_NAME]: SECRET });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = JSON.parse(r.stdout) as { verdict: string; target: string; figures: { framesSent: number; livenessChecks: number }; notes: string[] };
    expect(out).toMatchObject({ verdict: 'pass', target: server.url, figures: { framesSent: 400, livenessChecks: 2 } });
    expect(out.notes.join('\n')).toMatch(/relaxation sockproof-run-[0-9a-f]{12} ended with DELETE/);
    const both = await runCli(['fuzz', '--config', file, '--target', server.url, '--env', 'A=B'], 30_000, { [ENV_NAME]: SECRET });
    expect(both.code).toBe(2);
    expect(oneErrorLine(both.stderr)).toBe('sockproof: --config names the deployment and its auth: leave out --target, --env');
    for (const x of [r, both]) expect(x.stdout + x.stderr).not.toContain(SECRET);
  }, 150_000);
});
