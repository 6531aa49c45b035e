import { createServer, type Server } from 'node:http';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectErrorData, mintToken } from '../../spec/index.ts';
import { ChatClient, connectError } from '../../testbed/clients/chat-client.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

async function refusal(url: string, auth: Record<string, unknown>) {
  const { data } = await connectError(url, auth);
  return ConnectErrorData.parse(data);
}

describe('HS256 with a shared secret (AUTH-1..5, AUTH-7)', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.dispose());

  it('accepts a valid token', async () => {
    const c = await ChatClient.connect(server.url, await mintToken(server.secret, { sub: 'alice' }));
    expect(c.connected).toBe(true);
    c.close();
  });

  it('refuses a missing, malformed or non-string token', async () => {
    for (const auth of [{}, { token: '' }, { token: 'not-a-jwt' }, { token: 42 }]) {
      expect((await refusal(server.url, auth)).code).toBe('UNAUTHORIZED');
    }
  });

  it('refuses expired, not-yet-valid and wrong-secret tokens', async () => {
    expect(await refusal(server.url, { token: await mintToken(server.secret, { sub: 'a', ttlSec: -10 }) })).toMatchObject({ code: 'UNAUTHORIZED', message: 'token expired' });
    const early = await new SignJWT({ roles: ['member'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setNotBefore(now() + 3600).setExpirationTime(now() + 7200).sign(new TextEncoder().encode(server.secret));
    expect((await refusal(server.url, { token: early })).code).toBe('UNAUTHORIZED');
    expect(await refusal(server.url, { token: await mintToken('x'.repeat(40), { sub: 'a' }) })).toMatchObject({ message: 'token signature invalid' });
  });

  it('refuses a token without exp, and claims that do not fit', async () => {
    const noExp = await new SignJWT({ roles: ['member'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').sign(new TextEncoder().encode(server.secret));
    expect((await refusal(server.url, { token: noExp })).code).toBe('UNAUTHORIZED');
    const badRole = await mintToken(server.secret, { sub: 'a', extra: { roles: ['root'] } });
    expect(await refusal(server.url, { token: badRole })).toMatchObject({ code: 'UNAUTHORIZED', message: 'token claims invalid' });
  });

  it('refuses alg none and algorithms outside the pinned list', async () => {
    const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'mallory', roles: ['admin'], exp: now() + 600 })}.`;
    expect((await refusal(server.url, { token: none })).code).toBe('UNAUTHORIZED');
    const hs512 = await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS512' }).setSubject('m').setExpirationTime(now() + 600).sign(new TextEncoder().encode(server.secret));
    expect(await refusal(server.url, { token: hs512 })).toMatchObject({ message: 'token algorithm not allowed' });
  });

  it('ends a session when its token expires (AUTH-5), within 1 s', async () => {
    const token = await mintToken(server.secret, { sub: 'shortlived', ttlSec: 2 });
    const c = await ChatClient.connect(server.url, token);
    const exp = now() + 2;
    const ended = await c.next('session:ended', 5_000);
    expect(ended).toMatchObject({ code: 'UNAUTHORIZED' });
    await c.next('disconnect', 2_000);
    // exp has one-second resolution; allow that plus the spec's 1 s.
    expect(Date.now()).toBeLessThanOrEqual((exp + 2) * 1000);
  });

  it('never writes tokens or the secret to its logs (AUTH-8)', async () => {
    const token = await mintToken(server.secret, { sub: 'logged' });
    await refusal(server.url, { token: token.slice(0, -4) + 'AAAA' });
    expect(server.output()).not.toContain(server.secret);
    expect(server.output()).not.toContain(token.split('.')[2]);
  });
});

describe('RS256/ES256 from a JWKS (AUTH-2)', () => {
  let jwks: Server;
  let server: ServerProcess;
  let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
  let ec: { privateKey: CryptoKey; publicKey: CryptoKey };

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    ec = await generateKeyPair('ES256', { extractable: true });
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec1', alg: 'ES256', use: 'sig' },
    ];
    jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys })));
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    const port = (jwks.address() as { port: number }).port;
    server = await startServer({ env: { JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`, JWT_SECRET: '', JWT_ISSUER: 'https://issuer.test', JWT_AUDIENCE: 'chat' } });
  });
  afterAll(async () => {
    await server?.dispose();
    jwks?.close();
  });

  const sign = (alg: string, kid: string, key: CryptoKey | Uint8Array, claims: { iss?: string; aud?: string } = { iss: 'https://issuer.test', aud: 'chat' }) => {
    const jwt = new SignJWT({ roles: ['member'] }).setProtectedHeader({ alg, kid }).setSubject('jwks-user').setExpirationTime(now() + 600);
    if (claims.iss) jwt.setIssuer(claims.iss);
    if (claims.aud) jwt.setAudience(claims.aud);
    return jwt.sign(key);
  };

  it('accepts RS256 and ES256 tokens from the key set', async () => {
    for (const token of [await sign('RS256', 'rsa1', rsa.privateKey), await sign('ES256', 'ec1', ec.privateKey)]) {
      const c = await ChatClient.connect(server.url, token);
      expect(c.connected).toBe(true);
      c.close();
    }
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const pem = new TextEncoder().encode(await exportSPKI(rsa.publicKey));
    const forged = await sign('HS256', 'rsa1', pem);
    expect(await refusal(server.url, { token: forged })).toMatchObject({ code: 'UNAUTHORIZED', message: 'token algorithm not allowed' });
  });

  it('checks iss and aud when configured (AUTH-3)', async () => {
    expect((await refusal(server.url, { token: await sign('RS256', 'rsa1', rsa.privateKey, { iss: 'https://evil.test', aud: 'chat' }) })).message).toContain('"iss"');
    expect((await refusal(server.url, { token: await sign('RS256', 'rsa1', rsa.privateKey, { iss: 'https://issuer.test', aud: 'other' }) })).message).toContain('"aud"');
  });

  it('publishes the pinned algorithms in GET /spec', async () => {
    const doc = (await (await fetch(`${server.url}/spec`)).json()) as { auth: unknown };
    expect(doc.auth).toEqual({ algorithms: ['RS256', 'ES256'], issuer: 'https://issuer.test', audience: 'chat' });
  });
});
