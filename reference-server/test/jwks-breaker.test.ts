// The JWKS breaker on a real process is conformance check C34 (faulty build jwks-no-breaker in
// faulty-servers.test.ts). Here: what C34 cannot wait for, a key set past its 10 minutes kept while
// the endpoint is down, with the clock moved (Date only; timers and sockets are real).
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_BREAKER_POLICY } from '../../spec/index.ts';
import { JWKS_COOLDOWN_MS, JWKS_MAX_AGE_MS, JwksKeys } from '../auth/jwks-keys.ts';
import { AppError } from '../errors.ts';
import { DependencyBreaker } from '../resilience/breaker.ts';

let privateKey: CryptoKey;
let server: Server;
let url: string;
const endpoint = { up: true, reads: 0 };
beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  const keys = [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }];
  server = createServer((_req, res) => {
    endpoint.reads++;
    if (endpoint.up) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    else res.writeHead(503).end('down');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json`;
});
afterAll(() => server?.close());
afterEach(() => vi.useRealTimers());

function token(kid: string): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid }).setSubject('u').setExpirationTime('2h').sign(privateKey);
}

describe('JwksKeys: the last good key set (BRK-7)', () => {
  it('keeps verifying known keys with a set past its maximum age while the endpoint is down, and refuses unknown ones UNAVAILABLE', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const breaker = new DependencyBreaker('jwks', DEFAULT_BREAKER_POLICY, 3_000, () => {});
    const kept: unknown[] = [];
    const keys = new JwksKeys(url, breaker, (err) => kept.push(err));
    try {
      endpoint.up = true;
      await jwtVerify(await token('k1'), keys.getKey);
      const reads = endpoint.reads;

      endpoint.up = false;
      vi.setSystemTime(Date.now() + JWKS_MAX_AGE_MS + JWKS_COOLDOWN_MS);
      const verified = await jwtVerify(await token('k1'), keys.getKey);
      expect(verified.payload.sub).toBe('u');
      expect(endpoint.reads).toBe(reads + 1); // it tried to refresh the old set, and kept it
      expect(kept).toHaveLength(1);

      const unknown = await jwtVerify(await token('k-unknown'), keys.getKey).catch((err: unknown) => err);
      expect(unknown).toBeInstanceOf(AppError);
      expect(unknown).toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      breaker.shutdown();
    }
  });
});
