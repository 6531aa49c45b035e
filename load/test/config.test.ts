import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../spec/index.ts';
import { connectError } from '../../testbed/clients/chat-client.ts';
import { oneErrorLine, runCli } from '../../testing/run-cli.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';

/**
 * `sockproof load --config FILE`: the file chaos takes (nodes or a load balancer, auth, TLS CA, allowRemote)
 * points load at staging too. Staging is played by one reference node on loopback that requires iss and aud
 * (JWT_ISSUER, JWT_AUDIENCE; AUTH-3), as a staging behind an identity provider does.
 */
const SECRET = 'load-config-secret-never-printed-0123456789';
const ENV_NAME = 'SOCKPROOF_TEST_LOAD_SECRET';
const ISSUER = 'https://issuer.staging.test';
const AUDIENCE = 'chat-staging';

let dir: string;
let server: ServerProcess;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sockproof-load-config-'));
  server = await startServer({ secret: SECRET, env: { LOG_LEVEL: 'warn', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE } });
}, 60_000);
afterAll(async () => {
  await server?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function config(name: string, body: Record<string, unknown>): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify({ nodes: [{ name: 'node-1', url: server.url }], scenarios: ['latency'], ...body }));
  return file;
}
const hs256 = (claims: Record<string, string> = { issuer: ISSUER, audience: AUDIENCE }) => ({ auth: { kind: 'hs256', secret: { env: ENV_NAME }, ...claims } });
const withSecret = (args: string[], timeoutMs = 60_000, env: Record<string, string> = {}) => runCli(args, timeoutMs, { [ENV_NAME]: SECRET, ...env });

describe('sockproof load --config', () => {
  it('refuses --config with --target or --jwt-secret, and a remote node the file does not allow, with one line, exit 2', async () => {
    const file = await config('plain.json', hs256());
    const both = await withSecret(['load', 'realtime', '--config', file, '--target', server.url, '--jwt-secret', SECRET]);
    expect(both.code).toBe(2);
    expect(oneErrorLine(both.stderr)).toBe('sockproof: --config names the deployment and its auth: leave out --target, --jwt-secret');
    const remote = await withSecret(['load', 'http', '--config', await config('remote.json', { ...hs256(), nodes: [{ name: 'n', url: 'https://chat.staging.example.com' }] })]);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toMatch(/\$\.nodes\[0\]\.url: chat\.staging\.example\.com is not a loopback address; set "allowRemote": true/);
    for (const r of [both, remote]) expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('realtime and http run against the node the file names, with HS256 tokens carrying its iss and aud; the secret is never printed', async () => {
    const file = await config('iss-aud.json', hs256());
    const r = await withSecret(['load', 'realtime', '--config', file, '--clients', '3', '--rate', '5', '--duration', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { figures: { acked: number; errors: Record<string, number> }; judgement: { verdict: string }; target: string; notes: string[] };
    expect(out.target).toBe(server.url);
    expect(out.figures.acked).toBeGreaterThan(0);
    expect(out.figures.errors).toEqual({});
    expect(out.judgement.verdict).toBe('valid');
    // FIX-4 on a target it did not start: relaxed for the run's users only, and ended.
    expect(out.notes.join('\n')).toMatch(/relaxation sockproof-run-[0-9a-f]{12} ended with DELETE/);
    const http = await withSecret(['load', 'http', '--config', file, '--duration', '1', '--connections', '2', '--json']);
    expect(http.code, http.stderr).toBe(0);
    expect(JSON.parse(http.stdout).figures.requests).toBeGreaterThan(0);
    for (const x of [r, http]) expect(x.stdout + x.stderr).not.toContain(SECRET);
  }, 90_000);

  it('without the iss and aud the node requires: refused before the run with the field to set; such a token is refused by the node itself', async () => {
    const r = await withSecret(['load', 'realtime', '--config', await config('no-claims.json', hs256({})), '--clients', '2', '--duration', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`$.auth: node-1 requires iss "${ISSUER}" (GET /spec auth.issuer, JWT_ISSUER); set "issuer": "${ISSUER}" in auth`);
    expect(r.stderr).toContain(`$.auth: node-1 requires aud "${AUDIENCE}" (GET /spec auth.audience, JWT_AUDIENCE); set "audience": "${AUDIENCE}" in auth`);
    const wrong = await withSecret(['load', 'http', '--config', await config('wrong-aud.json', hs256({ issuer: ISSUER, audience: 'other' })), '--duration', '1']);
    expect(wrong.code).toBe(2);
    expect(oneErrorLine(wrong.stderr)).toMatch(/\$\.auth\.audience: "other", but node-1 requires aud "chat-staging"/);
    // The check says what the node does: a token without them is refused at the handshake (AUTH-3, AUTH-7).
    const refused = await connectError(server.url, { token: await mintToken(SECRET, { sub: 'no-claims', ttlSec: 60 }) });
    expect(refused.data).toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(connectError(server.url, { token: await mintToken(SECRET, { sub: 'claims', ttlSec: 60, issuer: ISSUER, audience: AUDIENCE }) })).rejects.toThrow('handshake was accepted');
    for (const x of [r, wrong]) expect(x.stdout + x.stderr).not.toContain(SECRET);
  }, 60_000);

  /**
   * The operator's refresh command: mints the users' tokens with the deployment's secret (from its own
   * environment), iss and aud, valid 4 s. Written with node:crypto only: a command of the operator's, not ours.
   */
  const REFRESH = `
    import { createHmac } from 'node:crypto';
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const exp = Math.floor(Date.now() / 1000) + 4;
    const lines = ['ana', 'ben', 'cai', 'dee', 'eve'].map((sub) => {
      const body = b64({ alg: 'HS256', typ: 'JWT' }) + '.' + b64({ sub, roles: ['member'], iss: ${JSON.stringify(ISSUER)}, aud: ${JSON.stringify(AUDIENCE)}, iat: exp - 4, exp });
      return JSON.stringify({ sub, token: body + '.' + createHmac('sha256', process.env.${ENV_NAME}).update(body).digest('base64url') });
    });
    console.log(lines.join('\\n'));`;

  it('supplied tokens of 4 s: refused for an 8 s run without a refresh; with one, the run passes, the sessions the node ends at exp reconnected with fresh tokens', async () => {
    const script = join(dir, 'refresh.mjs');
    await writeFile(script, REFRESH);
    const admin = await mintToken(SECRET, { sub: 'sockproof-runner', roles: ['admin'], ttlSec: 600, issuer: ISSUER, audience: AUDIENCE });
    const env = { SOCKPROOF_TEST_ADMIN: admin };
    const auth = { kind: 'tokens', admin: { env: 'SOCKPROOF_TEST_ADMIN' } };
    // Without a refresh: the file's tokens would expire during the run, which is refused before it starts.
    const { execFileSync } = await import('node:child_process');
    await writeFile(join(dir, 'users.jsonl'), execFileSync(process.execPath, [script], { env: { ...process.env, [ENV_NAME]: SECRET } }));
    const fixed = await withSecret(['load', 'realtime', '--config', await config('fixed.json', { auth: { ...auth, users: { file: 'users.jsonl' } } }), '--clients', '3', '--duration', '8'], 60_000, env);
    expect(fixed.code).toBe(2);
    expect(oneErrorLine(fixed.stderr)).toMatch(/\$\.auth: the token of \w+ expires at .*, before the run's --duration of \d+ s would end: supply fresher tokens, or a "refresh" command/);

    const file = await config('refresh.json', { auth: { ...auth, refresh: [process.execPath, script], refreshMarginS: 1 } });
    const r = await withSecret(['load', 'realtime', '--config', file, '--clients', '3', '--rate', '4', '--duration', '8', '--json'], 90_000, env);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = JSON.parse(r.stdout) as { figures: { acked: number; rejoinsAfterTokenExpiry: number }; history: { exactlyOnce: boolean; lost: number }; judgement: { verdict: string; checkers: Array<{ name: string; verdict: string }> } };
    expect(out.judgement.verdict, JSON.stringify(out.judgement.checkers)).toBe('valid');
    expect(out.history).toMatchObject({ exactlyOnce: true, lost: 0 });
    // Each of the 3 clients outlived its first token: the node ended its session (AUTH-5), it joined again with a fresh one.
    expect(out.figures.rejoinsAfterTokenExpiry).toBeGreaterThanOrEqual(3);
    // Acks came on after the first tokens expired: the run sent for its whole 8 s.
    expect(out.figures.acked).toBeGreaterThan(3 * 4 * 5);
    expect(r.stdout + r.stderr).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  }, 120_000);
});
