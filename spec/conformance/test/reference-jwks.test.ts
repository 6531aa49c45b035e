// A target that verifies tokens from a JWKS: the harness mints with the private key (--jwks-private-key).
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failures, runAgainstReference, verdicts } from './harness.ts';

describe('the reference server verifying ES256 tokens from a JWKS', () => {
  let jwks: Server;
  let dir: string;
  let keyFile: string;
  let jwksUrl: string;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    dir = mkdtempSync(join(tmpdir(), 'sockproof-jwks-'));
    keyFile = join(dir, 'key.pem');
    writeFileSync(keyFile, await exportPKCS8(pair.privateKey), { mode: 0o600 });
    const keys = [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }];
    jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys })));
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks.json`;
  });
  afterAll(() => {
    jwks?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes channel, idempotency and moderation checks with tokens minted from the private key, issuer and audience included', async () => {
    const ids = ['S01', 'S03', 'S08'];
    const report = await runAgainstReference(ids, {
      env: { JWT_JWKS_URL: jwksUrl, JWT_SECRET: '', JWT_ISSUER: 'https://issuer.test', JWT_AUDIENCE: 'chat' },
      extra: { privateKey: { file: keyFile, alg: 'ES256', kid: 'k1' } },
    });
    expect(failures(report)).toEqual([]);
    expect(verdicts(report)).toEqual({ V01: 'pass', S01: 'pass', S03: 'pass', S08: 'pass' });
  }, 120_000);
});
