import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../spec/index.ts';
import { ConfigError, loadConfig } from '../config.ts';

const BIN = new URL('../../bin/sockproof.mjs', import.meta.url).pathname;

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('loadConfig (OPS-1)', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c.listen).toEqual({ host: '127.0.0.1', portStart: 8765, portEnd: 8785 });
    expect(c.dataDir).toBe('./data');
    expect(c.shutdownTimeoutMs).toBe(10_000);
    expect(c.rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    expect(c.auth).toMatchObject({ kind: 'secret', clockToleranceSec: 0 });
    expect(c.storeBatch).toEqual({ maxBatch: 64, maxWaitMs: 2 });
    expect(loadConfig({ STORE_BATCH_MAX: '1', STORE_BATCH_WAIT_MS: '0' }).storeBatch).toEqual({ maxBatch: 1, maxWaitMs: 0 });
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT must be a whole number 0-65535 \(got "abc"\)$/],
    [{ PORT: '70000' }, /^PORT must be a whole number/],
    [{ HOST: '' , LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of trace, debug/],
    [{ JWT_SECRET: 'short' }, /^JWT_SECRET must be a secret of at least 32 bytes$/],
    [{ JWT_JWKS_URL: 'ftp://x' }, /^JWT_JWKS_URL must be a URL/],
    [{ RATE_LIMITS: '{"message:send":{"points":-1,"durationMs":1}}' }, /^RATE_LIMITS must be a JSON object of limits/],
    [{ SOCKETIO_PORT_START: '9000', SOCKETIO_PORT_END: '8000' }, /^SOCKETIO_PORT_START must be <= SOCKETIO_PORT_END/],
    [{ JWT_SECRET: 'x'.repeat(40), JWT_JWKS_URL: 'https://keys.example/jwks.json' }, /must not both be set/],
    [{ SOCKETIO_SHUTDOWN_TIMEOUT: 'soon' }, /^SOCKETIO_SHUTDOWN_TIMEOUT must be a number of seconds/],
    [{ STORE_BATCH_MAX: '0' }, /^STORE_BATCH_MAX must be a whole number 1-1000 \(got "0"\)$/],
    [{ STORE_BATCH_MAX: '5000' }, /^STORE_BATCH_MAX must be a whole number 1-1000/],
    [{ STORE_BATCH_WAIT_MS: '-1' }, /^STORE_BATCH_WAIT_MS must be a whole number 0-1000/],
  ])('refuses %j with one line', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('measures JWT_SECRET in bytes (AUTH-2): 16 two-byte characters are enough, 31 ASCII ones are not', () => {
    expect(loadConfig({ JWT_SECRET: 'é'.repeat(16) }).auth).toMatchObject({ kind: 'secret', secret: 'é'.repeat(16) });
    expect(() => loadConfig({ JWT_SECRET: 'x'.repeat(31) })).toThrow(/^JWT_SECRET must be a secret of at least 32 bytes$/);
  });

  it('never echoes the secret it refuses', () => {
    expect(() => loadConfig({ JWT_SECRET: 'hunter2' })).toThrow(/^JWT_SECRET must be a secret of at least 32 bytes$/);
  });
});

describe('the sockproof command', () => {
  it('stops serve with one line and exit 1 for a bad variable, before opening anything', () => {
    const r = cli(['serve'], { PORT: 'abc', DATA_DIR: '/nonexistent/should-not-be-created' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['sockproof serve: PORT must be a whole number 0-65535 (got "abc")']);
  });

  it('refuses an unknown fault name', () => {
    const r = cli(['serve'], { SOCKPROOF_FAULTS: 'everything' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^sockproof serve: SOCKPROOF_FAULTS must be a comma-separated list of/);
  });

  it('has --help for itself and its subcommands', () => {
    const top = cli(['--help']);
    expect(top.status).toBe(0);
    for (const sub of ['serve', 'token']) {
      expect(top.stdout).toContain(sub);
      expect(cli([sub, '--help']).status).toBe(0);
    }
  });

  it('exits 2 with one line for bad arguments', () => {
    expect(cli(['no-such-command']).status).toBe(2);
    const badRole = cli(['token', '--sub', 'a', '--role', 'god', '--secret', 'x'.repeat(40)]);
    expect(badRole.status).toBe(2);
    expect(badRole.stderr.trim()).toBe('sockproof: --role takes member, moderator or admin, got "god"');
    const badTtl = cli(['token', '--sub', 'a', '--ttl', 'forever', '--secret', 'x'.repeat(40)]);
    expect(badTtl.stderr.trim()).toBe('sockproof: --ttl takes a duration such as 3600, 15m, 12h or 7d, got "forever"');
    const noSecret = cli(['token', '--sub', 'a', '--data-dir', '/nonexistent']);
    expect(noSecret.status).toBe(2);
    expect(noSecret.stderr).toMatch(/^sockproof: no secret/);
  });

  it('mints a token the spec accepts', () => {
    const r = cli(['token', '--sub', 'alice', '--role', 'admin', 'member', '--ttl', '15m'], { JWT_SECRET: 'y'.repeat(40) });
    expect(r.status).toBe(0);
    const claims = JSON.parse(Buffer.from(r.stdout.trim().split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: 'alice', roles: ['admin', 'member'] });
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
  });

  it('measures a secret in UTF-8 bytes, as the server does (AUTH-2): 16 two-byte characters are enough, 31 bytes are not', () => {
    expect(cli(['token', '--sub', 'alice'], { JWT_SECRET: 'é'.repeat(16) }).status).toBe(0);
    const short = cli(['token', '--sub', 'alice'], { JWT_SECRET: 'é'.repeat(15) + 'x' });
    expect(short.status).toBe(2);
    expect(short.stderr.trim()).toBe('sockproof: the secret must be at least 32 bytes (UTF-8)');
    expect(cli(['conformance', '--target', 'http://127.0.0.1:9', '--jwt-secret', 'é'.repeat(15)], {}).stderr.trim()).toBe('sockproof: --jwt-secret must be at least 32 bytes (UTF-8)');
  });
});
