import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { configIssues } from '../config/chaos-config.ts';
import { ChaosConfigError, loadChaosConfig } from '../config/load-config.ts';
import { requiredClaimsIssues } from '../config/required-claims.ts';
import { MIN_REFRESH_GAP_MS, nextRefreshAt, TokenRefresher } from '../config/token-refresh.ts';
import { mintToken } from '../../spec/index.ts';
import { tokenNow } from '../../testbed/targets/token-source.ts';
import { runCli } from '../../testing/run-cli.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';

/**
 * The options a staging config gained for issue 10's last parts: timings GET /spec does not publish, iss/aud on
 * HS256, and supplied tokens refreshed by the operator's command. Pure and file-level; the runs that use them
 * are in load/test/config.test.ts, fuzz/test/fuzz-config.test.ts and chaos/test/staging-run.test.ts.
 */
const SECRET = 'staging-options-secret-never-printed-0123456789';
const BASE = { nodes: [{ name: 'node-1', url: 'http://127.0.0.1:9001' }], auth: { kind: 'hs256', secret: { env: 'SP_OPT_SECRET' } }, scenarios: ['latency'] };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sockproof-options-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const issuesOf = (json: unknown) => configIssues(json).issues;

describe('config timings', () => {
  it('accepts timings in ms within bounds, and refuses zero, fractions, more than ten minutes and unknown names, by path', () => {
    expect(issuesOf({ ...BASE, timings: { breakerResetMs: 1_500, dependencyTimeoutMs: 800, redisReconnectMaxMs: 2_000, probeIntervalMs: 250 } })).toEqual([]);
    expect(issuesOf({ ...BASE, timings: {} })).toEqual([]);
    const bad = issuesOf({ ...BASE, timings: { breakerResetMs: 0, dependencyTimeoutMs: 1.5, redisReconnectMaxMs: 600_001, reconnectBackoffMs: 10 } });
    expect(bad).toEqual([
      expect.stringMatching(/^\$\.timings\.breakerResetMs: /),
      expect.stringMatching(/^\$\.timings\.dependencyTimeoutMs: /),
      expect.stringMatching(/^\$\.timings\.redisReconnectMaxMs: /),
      expect.stringMatching(/^\$\.timings: .*reconnectBackoffMs/),
    ]);
  });
});

describe('hs256 with iss and aud', () => {
  it('mints every token (users and admin) with the configured iss and aud; without them, with neither', async () => {
    const file = join(dir, 'iss.json');
    await writeFile(file, JSON.stringify({ ...BASE, auth: { ...BASE.auth, issuer: 'https://issuer.test', audience: 'chat' } }));
    const c = await loadChaosConfig(file, { SP_OPT_SECRET: SECRET });
    expect(c.claims).toEqual({ issuer: 'https://issuer.test', audience: 'chat' });
    expect(c.tokens.describe).toBe('minted with the HS256 secret, with iss https://issuer.test and aud chat');
    expect(decodeJwt((await c.tokens.user({ sub: 'u1', ttlSec: 60 })).token)).toMatchObject({ sub: 'u1', iss: 'https://issuer.test', aud: 'chat' });
    expect(decodeJwt(await c.tokens.admin())).toMatchObject({ roles: ['admin'], iss: 'https://issuer.test', aud: 'chat' });
    await writeFile(file, JSON.stringify(BASE));
    const plain = decodeJwt((await (await loadChaosConfig(file, { SP_OPT_SECRET: SECRET })).tokens.user({ sub: 'u1', ttlSec: 60 })).token);
    expect(plain.iss).toBeUndefined();
    expect(plain.aud).toBeUndefined();
    expect(issuesOf({ ...BASE, auth: { ...BASE.auth, issuer: '' } })).toEqual([expect.stringMatching(/^\$\.auth\.issuer: /)]);
  });

  it('names the field to set when the target requires an iss or aud the config does not mint, or another one', () => {
    const published = { issuer: 'https://issuer.test', audience: 'chat' };
    expect(requiredClaimsIssues('node-1', published, published)).toEqual([]);
    expect(requiredClaimsIssues('node-1', { issuer: null, audience: null }, {})).toEqual([]);
    expect(requiredClaimsIssues('node-1', published, {})).toEqual([
      '$.auth: node-1 requires iss "https://issuer.test" (GET /spec auth.issuer, JWT_ISSUER); set "issuer": "https://issuer.test" in auth, or every token of the run is refused UNAUTHORIZED',
      '$.auth: node-1 requires aud "chat" (GET /spec auth.audience, JWT_AUDIENCE); set "audience": "chat" in auth, or every token of the run is refused UNAUTHORIZED',
    ]);
    expect(requiredClaimsIssues('node-1', published, { issuer: 'https://other.test', audience: 'chat' })).toEqual([
      expect.stringMatching(/^\$\.auth\.issuer: "https:\/\/other\.test", but node-1 requires iss "https:\/\/issuer\.test"/),
    ]);
  });
});

/** A refresh command: a node script that prints `count` users' HS256 tokens, valid `ttlSec`, as the users file (JSON lines). */
async function refreshScript(name: string, body: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, body);
  return file;
}

describe('supplied tokens refreshed by a command', () => {
  it('"users" or "refresh", not both and not neither', () => {
    const auth = { kind: 'tokens', admin: { env: 'A' } };
    expect(issuesOf({ ...BASE, auth: { ...auth, refresh: ['mint-tokens'] } })).toEqual([]);
    expect(issuesOf({ ...BASE, auth: { ...auth, users: { file: 'u.json' }, refresh: 'mint-tokens' } })).toEqual([expect.stringMatching(/^\$\.auth: give "users" \(a token file\) or "refresh"/)]);
    expect(issuesOf({ ...BASE, auth: auth })).toEqual([expect.stringMatching(/^\$\.auth: give "users"/)]);
    expect(issuesOf({ ...BASE, auth: { ...auth, refresh: 'x', refreshMarginS: 0 } })).toEqual([expect.stringMatching(/^\$\.auth\.refreshMarginS: /)]);
  });

  it('refreshes before the first exp, by the margin or half the remaining life whichever is sooner, never sooner than a gap', () => {
    const at = 1_000_000;
    const u = (sub: string, inMs: number | undefined) => ({ sub, token: `t-${sub}`, expiresAt: inMs === undefined ? undefined : at + inMs });
    expect(nextRefreshAt([u('a', 600_000), u('b', 300_000)], at, 60_000)).toBe(at + 240_000);
    expect(nextRefreshAt([u('a', 4_000)], at, 60_000)).toBe(at + 2_000);
    expect(nextRefreshAt([u('a', 1_000)], at, 60_000)).toBe(at + MIN_REFRESH_GAP_MS);
    expect(nextRefreshAt([u('a', undefined)], at, 60_000)).toBeUndefined();
  });

  it('runs the command at the start: its users are the run\'s, their tokens fresh from a later run of it; the user tokens no longer end a run', async () => {
    const admin = await mintToken(SECRET, { sub: 'admin', roles: ['admin'], ttlSec: 3_600 });
    // Each run prints new tokens (a counter in a file), 3 s long: refreshed about every 1.5 s.
    const script = await refreshScript(
      'refresh.mjs',
      `import { readFileSync, writeFileSync } from 'node:fs';
       const f = new URL('./count', import.meta.url);
       let n = 0; try { n = Number(readFileSync(f, 'utf8')); } catch {}
       writeFileSync(f, String(n + 1));
       const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
       const exp = Math.floor(Date.now() / 1000) + 3;
       for (const sub of ['alice', 'bob']) console.log(JSON.stringify({ token: b64({ alg: 'none' }) + '.' + b64({ sub, exp, n }) + '.sig' + n }));`,
    );
    const file = join(dir, 'refresh.json');
    await writeFile(file, JSON.stringify({ ...BASE, auth: { kind: 'tokens', refresh: [process.execPath, script], refreshMarginS: 1, admin: { env: 'SP_OPT_ADMIN' } } }));
    const c = await loadChaosConfig(file, { SP_OPT_ADMIN: admin });
    try {
      expect(c.tokens.users).toBe(2);
      expect(c.firstExpiry?.who).toBe('the admin token');
      const alice = await c.tokens.user({ sub: 'x', ttlSec: 60 });
      expect(alice.sub).toBe('alice');
      const first = tokenNow(alice);
      expect(decodeJwt(first).n).toBe(0);
      expect(c.secrets).toContain(first);
      const deadline = Date.now() + 10_000;
      while (tokenNow(alice) === first && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(decodeJwt(tokenNow(alice))).toMatchObject({ sub: 'alice', n: 1 });
      // A refreshed token is a secret too: output is redacted of it.
      expect(c.secrets).toContain(tokenNow(alice));
      expect(c.refresher!.failed.aborted).toBe(false);
    } finally {
      c.refresher?.stop();
    }
  });

  it('a refresh at the start that fails or prints no users file: one line naming what went wrong, never a token', async () => {
    const admin = await mintToken(SECRET, { sub: 'admin', roles: ['admin'], ttlSec: 3_600 });
    const load = async (name: string, body: string) => {
      const file = join(dir, `${name}.json`);
      await writeFile(file, JSON.stringify({ ...BASE, auth: { kind: 'tokens', refresh: [process.execPath, await refreshScript(`${name}.mjs`, body)], admin: { env: 'SP_OPT_ADMIN' } } }));
      try {
        await loadChaosConfig(file, { SP_OPT_ADMIN: admin });
      } catch (err) {
        if (err instanceof ChaosConfigError) return err.lines;
        throw err;
      }
      throw new Error('it loaded');
    };
    const leaked = 'eyJsecret.token.value-should-never-show';
    expect(await load('exits', `console.log('${leaked}'); console.error('no session for the vault'); process.exit(4)`)).toEqual([
      expect.stringMatching(/\$\.auth\.refresh: the token refresh exited 4 \(it said: no session for the vault\)$/),
    ]);
    const notJson = await load('garbage', `console.log('{"token": "${leaked}"'); console.log('oops ${leaked}')`);
    expect(notJson).toEqual([expect.stringMatching(/\$\.auth\.refresh: the token refresh printed no usable users file on stdout: line 1 is not JSON/)]);
    for (const line of notJson) expect(line).not.toContain(leaked);
  });

  it('a later refresh that leaves out a user of the run, or fails, ends the run (the failed signal) with its line and stops refreshing', async () => {
    const soon = () => Date.now() + 1_200;
    const user = (sub: string) => ({ sub, token: `token-of-${sub}-${Math.random()}`, expiresAt: soon() });
    let calls = 0;
    const refresher = new TokenRefresher([user('alice'), user('bob')], async () => {
      calls++;
      return [user('alice')];
    }, 60_000);
    const reason = await new Promise<Error>((resolve) => refresher.failed.addEventListener('abort', () => resolve(refresher.failed.reason as Error)));
    expect(reason.message).toBe('the token refresh left out 1 user(s) of the run (bob): a refresh names the same users again');
    expect(reason.message).not.toMatch(/token-of/);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(calls).toBe(1);
  });
});

describe('sockproof chaos --config with supplied tokens refreshed during the run (a reference node on loopback)', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ secret: SECRET, env: { LOG_LEVEL: 'warn' } });
  }, 60_000);
  afterAll(async () => server?.dispose());

  /**
   * The operator's refresh command: 7 users' HS256 tokens valid 4 s, minted with the secret from its own
   * environment (node:crypto only); from its `failFrom`-th run on it fails, as a lapsed vault session would.
   */
  const refresh = (failFrom: number) => `
    import { createHmac } from 'node:crypto';
    import { existsSync, readFileSync, writeFileSync } from 'node:fs';
    const counter = new URL('./runs-' + ${failFrom}, import.meta.url);
    const n = existsSync(counter) ? Number(readFileSync(counter, 'utf8')) : 0;
    writeFileSync(counter, String(n + 1));
    if (n + 1 >= ${failFrom}) { console.error('vault session expired'); process.exit(3); }
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const exp = Math.floor(Date.now() / 1000) + 4;
    console.log(JSON.stringify(['ana', 'ben', 'cai', 'dee', 'eve', 'fay', 'gus'].map((sub) => {
      const body = b64({ alg: 'HS256', typ: 'JWT' }) + '.' + b64({ sub, roles: ['member'], iat: exp - 4, exp });
      return { sub, token: body + '.' + createHmac('sha256', process.env.SP_OPT_SECRET).update(body).digest('base64url') };
    })));`;

  async function run(name: string, failFrom: number) {
    const script = await refreshScript(`${name}.mjs`, refresh(failFrom));
    const file = join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify({ ...BASE, nodes: [{ name: 'node-1', url: server.url }], auth: { kind: 'tokens', refresh: [process.execPath, script], refreshMarginS: 1, admin: { env: 'SP_OPT_ADMIN' } } }));
    const admin = await mintToken(SECRET, { sub: 'sockproof-runner', roles: ['admin'], ttlSec: 600 });
    return runCli(['chaos', '--config', file, '--scenarios', 'latency', '--clients', '3', '--rate', '3', '--phase-ms', '2500', '--timeout', '60', '--json'], 90_000, { SP_OPT_SECRET: SECRET, SP_OPT_ADMIN: admin });
  }

  it('tokens of 4 s through a run of about 8 s: refreshed, the sessions the node ends at exp connected again, the scenario passes', async () => {
    const r = await run('refreshed', 1_000);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = JSON.parse(r.stdout) as { scenarios: Array<{ verdict: string; reason: string; durationS: number; history: { lost: number } }>; notes: string[] };
    expect(out.scenarios[0]!.verdict, out.scenarios[0]!.reason).toBe('pass');
    expect(out.scenarios[0]!.durationS).toBeGreaterThan(4);
    expect(out.scenarios[0]!.history).toMatchObject({ lost: 0 });
    expect(out.notes.join('\n')).toMatch(/auth \(tokens\): every token of the run 7 user token\(s\) supplied by the operator, refreshed by the config's refresh command/);
    expect(r.stdout + r.stderr).not.toMatch(/eyJ[\w-]+\.eyJ/);
  }, 120_000);

  it('a refresh that fails during the run ends it with one line saying so (exit 2), and prints no token', async () => {
    const r = await run('lapsed', 2);
    expect(r.code, r.stdout).toBe(2);
    // Its progress lines, then the one line that ends it; no stack trace.
    expect(r.stderr.trim().split('\n').at(-1)).toBe('sockproof: the token refresh exited 3 (it said: vault session expired)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout + r.stderr).not.toMatch(/eyJ[\w-]+\.eyJ/);
  }, 120_000);
});
