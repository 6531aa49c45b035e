import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, exportPKCS8, jwtVerify, createLocalJWKSet } from 'jose';
import { configIssues } from '../config/chaos-config.ts';
import { mintToken } from '../../spec/index.ts';
import { usersNeeded, usersPerScenario } from '../scenario-users.ts';
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
  it('the examples in the repo validate against the schema (nodes with hooks and HS256; a load balancer with operator tokens)', async () => {
    for (const name of ['chaos/chaos.example.json', 'chaos/chaos.lb-tokens.example.json']) {
      const example = JSON.parse(await readFile(join(REPO_ROOT, name), 'utf8'));
      expect(configIssues(example).issues, name).toEqual([]);
    }
  });

  it('resolves a valid file: nodes, proxies, the secret from its environment variable, scenarios', async () => {
    const file = await configFile('ok.json', MINIMAL);
    const c = await loadChaosConfig(file, { SP_TEST_SECRET: SECRET });
    expect(c.nodes.map((n) => n.url)).toEqual(['http://127.0.0.1:9001', 'http://127.0.0.1:9002']);
    expect(c.authKind).toBe('hs256');
    // The admin token and any user's are minted with the secret the environment variable holds.
    const key = new TextEncoder().encode(SECRET);
    expect((await jwtVerify(await c.tokens.admin(), key)).payload).toMatchObject({ roles: ['admin'] });
    const user = await c.tokens.user({ sub: 'u7', ttlSec: 60 });
    expect(user.sub).toBe('u7');
    expect((await jwtVerify(user.token, key)).payload.sub).toBe('u7');
    expect(c.tokens.users).toBe(Number.POSITIVE_INFINITY);
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
    const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'chaos-1', alg: 'ES256' }] });
    const admin = await jwtVerify(await c.tokens.admin(), jwks, { issuer: 'https://idp.example', audience: 'chat' });
    expect(admin.protectedHeader.kid).toBe('chaos-1');
    expect(admin.payload).toMatchObject({ sub: 'sockproof-runner', roles: ['admin'] });
    const user = await c.tokens.user({ sub: 'u1', ttlSec: 60 });
    expect(user.sub).toBe('u1');
    expect((await jwtVerify(user.token, jwks, { issuer: 'https://idp.example', audience: 'chat' })).payload).toMatchObject({ sub: 'u1', roles: ['member'] });
    const wrongKey = await loadError({ ...MINIMAL, auth: { kind: 'jwks', privateKey: { env: 'K' }, alg: 'RS256', kid: 'k' } }, { K: 'not a key' });
    expect(wrongKey).toEqual([expect.stringMatching(/\$\.auth\.privateKey: not a PKCS#8 PEM private key for RS256/)]);
  });

  /** An HS256 token for `sub` (the operator's own would come from their identity provider), expiring in `ttlSec`. */
  const operatorToken = (sub: string, ttlSec = 3_600) => mintToken(SECRET, { sub, ttlSec });

  it('tokens auth: users from a JSON-lines or JSON-array file (sub from the entry or the token), handed out in turn; the admin token from its variable', async () => {
    const [a, b, c] = await Promise.all(['alice', 'bob', 'carol'].map((s) => operatorToken(s)));
    const admin = await mintToken(SECRET, { sub: 'ops', roles: ['admin'], ttlSec: 3_600 });
    await writeFile(join(dir, 'users.jsonl'), `${JSON.stringify({ token: a })}\n\n${JSON.stringify({ sub: 'bob', token: b })}\n`);
    await writeFile(join(dir, 'users.json'), JSON.stringify([{ token: a }, { token: b }, { sub: 'carol', token: c }]));
    const lines = await loadChaosConfig(await configFile('tokens-lines.json', { ...MINIMAL, auth: { kind: 'tokens', users: { file: 'users.jsonl' }, admin: { env: 'SP_ADMIN' } } }), { SP_ADMIN: admin });
    expect(lines.authKind).toBe('tokens');
    expect(lines.tokens.users).toBe(2);
    expect(await lines.tokens.admin()).toBe(admin);
    // Whatever sub a scenario asks for, it gets the next of the operator's users, by the sub its token names.
    const handed = [];
    for (const ask of ['u0-x', 'u1-x', 'reader']) handed.push(await lines.tokens.user({ sub: ask, ttlSec: 60 }));
    expect(handed).toEqual([{ sub: 'alice', token: a }, { sub: 'bob', token: b }, { sub: 'alice', token: a }]);
    expect(lines.secrets).toEqual(expect.arrayContaining([admin, a, b]));
    // The same as a JSON array, the file named by an environment variable (absolute path).
    const array = await loadChaosConfig(await configFile('tokens-array.json', { ...MINIMAL, auth: { kind: 'tokens', users: { fileEnv: 'SP_USERS_FILE' }, admin: { env: 'SP_ADMIN' } } }), { SP_ADMIN: admin, SP_USERS_FILE: join(dir, 'users.json') });
    expect(array.tokens.users).toBe(3);
    expect(array.firstExpiry?.who).toMatch(/^the (token of (alice|bob|carol)|admin token)$/);
  });

  it('tokens auth: refuses expired, duplicate, anonymous and mismatched tokens, naming the entry and never the token', async () => {
    const expired = await operatorToken('old', -60);
    const ok = await operatorToken('dana');
    const opaque = 'opaque-token-without-claims-0123456789';
    const adminExpired = await mintToken(SECRET, { sub: 'ops', roles: ['admin'], ttlSec: -5 });
    await writeFile(join(dir, 'bad-users.jsonl'), [{ token: expired }, { token: ok }, { sub: 'dana', token: await operatorToken('dana') }, { token: opaque }, { sub: 'erin', token: ok }, { token: 42 }].map((e) => JSON.stringify(e)).join('\n'));
    const lines = await loadError({ ...MINIMAL, auth: { kind: 'tokens', users: { file: 'bad-users.jsonl' }, admin: { env: 'SP_ADMIN' } } }, { SP_ADMIN: adminExpired });
    const text = lines.join('\n');
    for (const token of [expired, ok, opaque, adminExpired]) expect(text).not.toContain(token);
    expect(text).toMatch(/\$\.auth\.admin: the token expired at \d{4}-\d\d-\d\dT[\d:.]+Z; supply a fresh one/);
    expect(text).toMatch(/\$\.auth\.users: .*bad-users\.jsonl: line 1 \(sub old\): the token expired at /);
    expect(text).toMatch(/line 3: sub dana is also line 2; each token is a distinct user/);
    expect(text).toMatch(/line 4: give its "sub": the token's payload names none that can be read/);
    expect(text).toMatch(/line 5: "sub" is "erin" but its token names "dana"/);
    expect(text).toMatch(/line 6 token: Invalid input: expected string/);
    const notJson = await loadError({ ...MINIMAL, auth: { kind: 'tokens', users: { fileEnv: 'SP_UNSET' }, admin: { file: 'no-such-admin' } } }, {});
    expect(notJson).toEqual([
      expect.stringMatching(/\$\.auth\.admin\.file: cannot read .*no-such-admin \(ENOENT\)/),
      expect.stringMatching(/\$\.auth\.users: environment variable SP_UNSET \(the path of the token file\) is not set/),
    ]);
    const inline = await loadError({ ...MINIMAL, auth: { kind: 'tokens', users: [{ token: ok }], admin: { env: 'SP_ADMIN' } } }, { SP_ADMIN: ok });
    expect(inline.join('\n')).toMatch(/\$\.auth\.users: a reference \{ "file": "path" \} or \{ "fileEnv": "NAME" \}/);
    expect(inline.join('\n')).not.toContain(ok);
  });

  it('a run needs as many supplied users as its largest scenario: its clients, a probe on a deployment, the history reader', () => {
    expect(usersPerScenario('latency', 5, 2)).toBe(6);
    expect(usersPerScenario('nemesis', 3, 1)).toBe(4);
    // Two nodes, 5 clients: 3 per node (at least 2 per node), the probe and the reader.
    expect(usersPerScenario('db-down', 5, 2)).toBe(8);
    expect(usersPerScenario('redis-down', 1, 2)).toBe(6);
    expect(usersNeeded(['latency', 'db-down', 'kill'], 5, 2)).toEqual({ users: 8, scenario: 'db-down' });
    expect(usersNeeded([], 5, 2)).toEqual({ users: 0, scenario: undefined });
  });

  it('sockproof chaos --config with too few supplied tokens, or one expiring within --timeout, exits 2 before anything runs, printing no token', async () => {
    const tokens = await Promise.all(['t1', 't2', 't3'].map((s) => operatorToken(s, 600)));
    const admin = await mintToken(SECRET, { sub: 'ops', roles: ['admin'], ttlSec: 3_600 });
    await writeFile(join(dir, 'three.json'), JSON.stringify(tokens.map((token) => ({ token }))));
    const file = await configFile('three-users.json', { ...MINIMAL, auth: { kind: 'tokens', users: { file: 'three.json' }, admin: { env: 'SP_TEST_ADMIN' } }, scenarios: ['latency', 'db-down'] });
    const env = { SP_TEST_ADMIN: admin };
    const few = await runCli(['chaos', '--config', file, '--scenarios', 'latency,db-down', '--clients', '4'], 60_000, env);
    expect(few.code).toBe(2);
    expect(few.stderr).toMatch(/\$\.auth\.users: the run needs 6 distinct users \(db-down: 4 streaming clients over 2 node\(s\), a send probe and the history reader\), the file holds 3: supply 3 more token\(s\), or fewer --clients/);
    const late = await runCli(['chaos', '--config', file, '--scenarios', 'latency', '--clients', '2', '--timeout', '900'], 60_000, env);
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(/\$\.auth: the (token of t\d|admin token) expires at .*, before the run's --timeout of 900 s would end/);
    for (const r of [few, late]) for (const t of [...tokens, admin]) expect(r.stdout + r.stderr).not.toContain(t);
  }, 90_000);

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
