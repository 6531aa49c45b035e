// BRK-7 is tested here rather than as a conformance check: the check would have to take the target's
// JWKS endpoint down and up, and a harness only knows a JWKS URL a third party passes it, which it
// does not control. Here the test serves the key set itself and stops it.
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BreakersResponse, HTTP_PATHS } from '../../spec/index.ts';
import { getJson } from '../../testing/admin.ts';
import { handshake, type HandshakeOutcome } from '../../testing/handshake.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';

/** A JWKS endpoint the test can take down (503) and bring back, counting the reads it gets. */
class KeySetEndpoint {
  up = false;
  reads = 0;
  private readonly server: Server;
  constructor(keys: () => object[]) {
    this.server = createServer((_req, res) => {
      this.reads++;
      if (this.up) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: keys() }));
      else res.writeHead(503).end('down for maintenance');
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}/jwks.json`;
  }
  close(): void {
    this.server.close();
  }
}

const RESET_MS = 1_500;
const BREAKER_ENV = { BREAKER_FAILURE_THRESHOLD: '2', BREAKER_RESET_TIMEOUT_MS: String(RESET_MS), BREAKER_WINDOW_MS: '60000' };

let privateKey: CryptoKey;
let publicJwk: object;
beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
});

function token(sub: string, kid: string): Promise<string> {
  return new SignJWT({ roles: ['member'] }).setProtectedHeader({ alg: 'ES256', kid }).setSubject(sub).setExpirationTime('10m').sign(privateKey);
}

async function startBehind(endpoint: KeySetEndpoint, faults?: string): Promise<ServerProcess> {
  const url = await endpoint.listen();
  return startServer({ env: { JWT_JWKS_URL: url, JWT_SECRET: '', ...BREAKER_ENV, ...(faults ? { SOCKPROOF_FAULTS: faults } : {}) } });
}

const codeOf = (o: HandshakeOutcome) => (o.kind === 'connected' ? 'connected' : o.code);

describe('JWKS reads go through the jwks breaker, the last good key set kept (BRK-1, BRK-7)', () => {
  const endpoint = new KeySetEndpoint(() => [publicJwk]);
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startBehind(endpoint);
  }, 90_000);
  afterAll(async () => {
    await server?.dispose();
    endpoint.close();
  });

  it('with the key set down from the start: UNAVAILABLE, then the breaker opens and answers at once without reading it', async () => {
    const first = await handshake(server.url, await token('early', 'k1'));
    expect(first).toMatchObject({ kind: 'refused', code: 'UNAVAILABLE', retryAfterMs: 1_000 });
    expect(codeOf(await handshake(server.url, await token('early', 'k1')))).toBe('UNAVAILABLE');
    const readsWhenOpened = endpoint.reads;
    expect(readsWhenOpened).toBe(2);
    const whileOpen = await handshake(server.url, await token('early', 'k1'));
    expect(whileOpen).toMatchObject({ kind: 'refused', code: 'UNAVAILABLE' });
    expect(whileOpen.kind === 'refused' && whileOpen.retryAfterMs! > 0 && whileOpen.retryAfterMs! <= RESET_MS).toBe(true);
    expect(endpoint.reads).toBe(readsWhenOpened);
    const { body } = await getJson(`${server.url}${HTTP_PATHS.breakers}`, BreakersResponse);
    expect(body.breakers.jwks).toMatchObject({ state: 'open', trips: 1 });
  });

  it('once the key set is back, the half-open trial reads it and tokens are verified', async () => {
    endpoint.up = true;
    await new Promise((r) => setTimeout(r, RESET_MS + 200));
    expect(codeOf(await handshake(server.url, await token('alice', 'k1')))).toBe('connected');
    const { body } = await getJson(`${server.url}${HTTP_PATHS.breakers}`, BreakersResponse);
    expect(body.breakers.jwks?.state).toBe('closed');
  });

  it('while it is down again, known keys keep working from the last good set; an unknown key id is refused without a crash', async () => {
    endpoint.up = false;
    const reads = endpoint.reads;
    for (const user of ['alice', 'bob', 'carol']) expect(codeOf(await handshake(server.url, await token(user, 'k1')))).toBe('connected');
    expect(endpoint.reads).toBe(reads);
    // Read moments ago: the key id is not in the issuer's set (UNAUTHORIZED), and the endpoint is spared a read.
    const unknown = await handshake(server.url, await token('mallory', 'k-unknown'));
    expect(unknown).toMatchObject({ kind: 'refused', code: 'UNAUTHORIZED' });
    expect(endpoint.reads).toBe(reads);
    expect((await fetch(`${server.url}${HTTP_PATHS.health}`)).status).toBe(200);
  });
});

describe('the faulty build jwks-no-breaker is caught', () => {
  const endpoint = new KeySetEndpoint(() => [publicJwk]);
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startBehind(endpoint, 'jwks-no-breaker');
  }, 90_000);
  afterAll(async () => {
    await server?.dispose();
    endpoint.close();
  });

  it('reads the key set on every handshake while it is down, with no jwks breaker to open', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) outcomes.push(codeOf(await handshake(server.url, await token('early', 'k1'))));
    // The clean build's answers to the same four handshakes: UNAVAILABLE each, with two reads at most.
    const clean = outcomes.every((c) => c === 'UNAVAILABLE') && endpoint.reads <= 2;
    expect(clean, `outcomes ${outcomes.join(', ')}; ${endpoint.reads} reads`).toBe(false);
    const { body } = await getJson(`${server.url}${HTTP_PATHS.breakers}`, BreakersResponse);
    expect(body.breakers.jwks).toBeUndefined();
  });
});
