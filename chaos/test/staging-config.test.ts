import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, exportPKCS8, jwtVerify, createLocalJWKSet } from 'jose';
import { configIssues } from '../config/chaos-config.ts';
import { ChaosConfigError, loadChaosConfig } from '../config/load-config.ts';
import { runHook, type HookResult } from '../deployment/command-hook.ts';
import { hookSummary } from '../deployment/staging-deployment.ts';
import { runCli } from '../../testing/run-cli.ts';
import { REPO_ROOT } from '../../testbed/repo-root.ts';

const SECRET = 'staging-secret-that-must-never-be-printed-0123456789';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sockproof-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configFile(name: string, json: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, typeof json === 'string' ? json : JSON.stringify(json, null, 2));
  return file;
}

const MINIMAL = {
  nodes: [
    { name: 'node-1', url: 'http://127.0.0.1:9001' },
    { name: 'node-2', url: 'http://127.0.0.1:9002' },
  ],
  toxiproxy: { url: 'http://127.0.0.1:8474', proxies: { redis: 'staging-redis', postgres: 'staging-postgres' } },
  auth: { kind: 'hs256', secret: { env: 'SP_TEST_SECRET' } },
  scenarios: ['redis-down', 'db-down'],
};

async function loadError(json: unknown, env: NodeJS.ProcessEnv = { SP_TEST_SECRET: SECRET }): Promise<string[]> {
  const file = await configFile(`bad-${Math.random().toString(36).slice(2)}.json`, json);
  try {
    await loadChaosConfig(file, env);
  } catch (err) {
    if (err instanceof ChaosConfigError) return err.lines;
    throw err;
  }
  throw new Error('the config loaded');
}

describe('chaos --config file', () => {
  it('the example in the repo validates against the schema', async () => {
    const example = JSON.parse(await readFile(join(REPO_ROOT, 'chaos/chaos.example.json'), 'utf8'));
    expect(configIssues(example).issues).toEqual([]);
  });

  it('resolves a valid file: nodes, proxies, the secret from its environment variable, scenarios', async () => {
    const file = await configFile('ok.json', MINIMAL);
    const c = await loadChaosConfig(file, { SP_TEST_SECRET: SECRET });
    expect(c.nodes.map((n) => n.url)).toEqual(['http://127.0.0.1:9001', 'http://127.0.0.1:9002']);
    expect(c.tokens.secret).toBe(SECRET);
    expect(c.secrets).toContain(SECRET);
    expect(c.scenarios).toEqual(['redis-down', 'db-down']);
  });

  it('a load balancer is the one node "lb", its origin', async () => {
    const { nodes: _nodes, ...rest } = MINIMAL;
    const file = await configFile('lb.json', { ...rest, loadBalancer: 'http://127.0.0.1:9000/socket.io/' });
    const c = await loadChaosConfig(file, { SP_TEST_SECRET: SECRET });
    expect(c.viaLoadBalancer).toBe(true);
    expect(c.nodes).toEqual([{ name: 'lb', url: 'http://127.0.0.1:9000' }]);
  });

  it('lists every problem of a file, one line each with its JSON path, and never the secret', async () => {
    const lines = await loadError({
      ...MINIMAL,
      nodes: [{ name: 'node-1', url: 'ftp://127.0.0.1:9001', hooks: { kill: 'true' } }],
      auth: { kind: 'hs256', secret: SECRET },
      scenarios: ['redis-down', 'no-such'],
      extra: 1,
    });
    const text = lines.join('\n');
    expect(text).not.toContain(SECRET);
    for (const path of ['$.nodes[0].url', '$.nodes[0].hooks', '$.auth.secret', '$.scenarios[1]']) expect(text).toContain(`: ${path}: `);
    expect(text).toMatch(/Unrecognized key.*extra/);
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
  });

  it('says which environment variable is missing, and that a non-loopback node needs allowRemote', async () => {
    const lines = await loadError({ ...MINIMAL, loadBalancer: undefined, nodes: [{ name: 'n', url: 'https://chat.staging.example.com' }] }, {});
    expect(lines).toEqual([
      expect.stringMatching(/\$\.nodes\[0\]\.url: chat\.staging\.example\.com is not a loopback address; set "allowRemote": true/),
      expect.stringMatching(/\$\.auth\.secret: environment variable SP_TEST_SECRET is not set$/),
    ]);
  });

  it('refuses nodes and loadBalancer together, a dependency scenario without its proxy, kill without hooks, a short secret', async () => {
    const lines = await loadError({ ...MINIMAL, loadBalancer: 'http://127.0.0.1:9000', toxiproxy: { url: 'http://127.0.0.1:8474', proxies: { redis: 'r' } }, scenarios: ['db-down', 'kill'] });
    expect(lines.join('\n')).toMatch(/\$\.nodes: give "nodes"/);
    expect(lines.join('\n')).toMatch(/\$\.scenarios\[0\]: db-down needs toxiproxy\.proxies\.postgres/);
    expect(lines.join('\n')).toMatch(/\$\.scenarios\[1\]: kill needs hooks\.kill and hooks\.restart on the first node/);
    const short = await loadError(MINIMAL, { SP_TEST_SECRET: 'short' });
    expect(short).toEqual([expect.stringMatching(/\$\.auth\.secret: the secret in SP_TEST_SECRET must be at least 32 bytes/)]);
  });

  it('a file that is not JSON is one line that quotes none of its text', async () => {
    const lines = await loadError(`{"auth": "${SECRET}" oops}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/not valid JSON/);
    expect(lines[0]).not.toContain(SECRET);
  });

  it('jwks auth signs tokens with the private key, its kid, iss and aud, that the public JWKS verifies', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const keyFile = join(dir, 'chaos-key.pem');
    await writeFile(keyFile, await exportPKCS8(privateKey));
    const file = await configFile('jwks.json', { ...MINIMAL, auth: { kind: 'jwks', privateKey: { file: 'chaos-key.pem' }, alg: 'ES256', kid: 'chaos-1', issuer: 'https://idp.example', audience: 'chat' } });
    const c = await loadChaosConfig(file, {});
    const token = await c.tokens.mint({ sub: 'u1', roles: ['admin'] });
    const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'chaos-1', alg: 'ES256' }] });
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: 'https://idp.example', audience: 'chat' });
    expect(protectedHeader.kid).toBe('chaos-1');
    expect(payload).toMatchObject({ sub: 'u1', roles: ['admin'] });
    const wrongKey = await loadError({ ...MINIMAL, auth: { kind: 'jwks', privateKey: { env: 'K' }, alg: 'RS256', kid: 'k' } }, { K: 'not a key' });
    expect(wrongKey).toEqual([expect.stringMatching(/\$\.auth\.privateKey: not a PKCS#8 PEM private key for RS256/)]);
  });

  it('sockproof chaos --config with a bad file exits 2 with one "sockproof:" line per problem and nothing secret', async () => {
    const file = await configFile('cli-bad.json', { ...MINIMAL, auth: { kind: 'hs256', secret: { env: 'SP_NOT_SET_ANYWHERE' } }, scenarios: ['latency'], nodes: [{ name: 'x', url: 'gopher://h' }], hookTimeoutS: 0 });
    const r = await runCli(['chaos', '--config', file], 60_000);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines.every((l) => l.startsWith(`sockproof: --config ${file}: $.`))).toBe(true);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const both = await runCli(['chaos', '--config', file, '--jwt-secret', SECRET], 60_000);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/leave out --jwt-secret/);
    expect(both.stderr + both.stdout).not.toContain(SECRET);
  }, 90_000);
});

describe('operator hooks', () => {
  const node = { name: 'node-9', url: 'http://127.0.0.1:1' };
  it('records exit code, output (secrets redacted) and the node it ran for; argv arrays run without a shell', async () => {
    const r = await runHook({ hook: 'kill', node, command: [process.execPath, '-e', `console.log(process.env.SOCKPROOF_NODE, "${SECRET}", "$HOME"); process.exit(3)`], timeoutMs: 10_000, redact: (t) => t.split(SECRET).join('[redacted]') });
    expect(r).toMatchObject({ hook: 'kill', node: 'node-9', exitCode: 3, timedOut: false });
    expect(r.output).toBe('node-9 [redacted] $HOME');
  });

  it('a string is the operator\'s own shell line; a hook past its timeout is killed and marked timed out', async () => {
    const shell = await runHook({ hook: 'restart', node, command: 'echo "$SOCKPROOF_NODE_URL" && exit 0', timeoutMs: 10_000, redact: (t) => t });
    expect(shell).toMatchObject({ exitCode: 0, output: 'http://127.0.0.1:1' });
    const slow = await runHook({ hook: 'pause', node, command: 'sleep 30', timeoutMs: 300, redact: (t) => t });
    expect(slow).toMatchObject({ exitCode: null, timedOut: true });
    expect(slow.durationMs).toBeLessThan(10_000);
  });
});

describe('what the hooks did, summarised for the notes', () => {
  const run = (hook: string, exitCode: number | null, durationMs: number, output = '', timedOut = false): HookResult => ({ hook, node: 'node-1', exitCode, timedOut, durationMs, output });
  it('counts each hook per node with its longest run, and names the last failure with its exit code and last line', () => {
    expect(hookSummary([run('kill', 0, 40), run('restart', 0, 900), run('kill', 0, 35), run('restart', 1, 120, 'starting\nunit sockproof failed')])).toBe(
      'node-1 kill x2 (max 40 ms), node-1 restart x2 (max 900 ms, 1 failed (exit 1: unit sockproof failed))',
    );
    expect(hookSummary([run('pause', null, 60_000, '', true)])).toBe('node-1 pause x1 (max 60000 ms, 1 failed (timed out))');
  });
});
