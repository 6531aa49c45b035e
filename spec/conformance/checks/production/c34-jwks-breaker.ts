import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { ConnectErrorData } from '../../../errors.ts';
import { HTTP_PATHS, SpecDocument } from '../../../http.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { HttpProbe } from '../../http.ts';
import { withSiblingTarget } from '../sibling-target.ts';

/** How long the check lets the breaker wait before its half-open trial (the target publishes what it uses). */
const RESET_TIMEOUT_MS = 1_500;

export default defineCheck({
  id: 'C34',
  title: 'JWKS reads go through a breaker: with the key set down, handshakes are UNAVAILABLE, then answered at once without reading it; known keys keep working from the last good set; only RS256 and ES256 tokens are accepted',
  group: 'Production readiness',
  level: 'MUST',
  rules: ['BRK-7', 'BRK-1', 'BRK-4', 'AUTH-2'],
  needs: ['harness-started'],
  withoutFixtures: true,
  timeoutMs: 150_000, // a second target starts within it (slow on a loaded machine)
  async run(ctx: CheckContext) {
    // The check is the token issuer: its own key pair and a JWKS endpoint it takes down and brings back.
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    // An RSA key published without `alg`, as many key sets are: it verifies RS256, and a verifier that does
    // not pin its algorithms would take PS256 or RS512 tokens of it too (AUTH-2).
    // A KeyObject, not a WebCrypto key: a WebCrypto RSA key is bound to one algorithm, and the check signs with three.
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keys = [
      { ...(await exportJWK(publicKey)), kid: 'c34-k1', alg: 'ES256', use: 'sig' },
      { ...(await exportJWK(rsa.publicKey)), kid: 'c34-rsa', use: 'sig' },
    ];
    const endpoint = { up: false, reads: 0 };
    const jwks = createServer((_req, res) => {
      endpoint.reads++;
      if (endpoint.up) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
      else res.writeHead(503).end('down');
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks.json`;
    try {
      const env = { JWT_JWKS_URL: jwksUrl, JWT_SECRET: '', JWT_ISSUER: '', JWT_AUDIENCE: '', BREAKER_RESET_TIMEOUT_MS: String(RESET_TIMEOUT_MS) };
      await withSiblingTarget(ctx, env, async (sibling) => {
        const http = new HttpProbe(sibling.url, ctx.recorder);
        const doc = SpecDocument.safeParse((await http.get(HTTP_PATHS.spec)).body);
        ctx.require(doc.success, 'the target with JWT_JWKS_URL publishes GET /spec', 'no SpecDocument');
        const { failureThreshold, resetTimeoutMs } = doc.data.breakers;
        const attempt = async (user: string, kid = 'c34-k1') => handshake(ctx, sibling.url, await sign(privateKey, ctx.uniqueId(user), kid));

        for (let i = 1; i <= failureThreshold; i++) {
          const got = await attempt('early');
          ctx.expect(got.code === 'UNAVAILABLE', `key set down from the start: handshake ${i} of ${failureThreshold} is refused UNAVAILABLE (not the token's fault)`, got.shown);
        }
        const readsWhenOpen = endpoint.reads;
        const whileOpen = await attempt('early');
        ctx.expect(whileOpen.code === 'UNAVAILABLE' && (whileOpen.retryAfterMs ?? 0) > 0, 'after failureThreshold failed reads the breaker is open: UNAVAILABLE with retryAfterMs (BRK-4)', whileOpen.shown);
        ctx.expect(endpoint.reads === readsWhenOpen, 'while the breaker is open the key set is not read', `${endpoint.reads - readsWhenOpen} more reads`);

        endpoint.up = true;
        await new Promise((r) => setTimeout(r, resetTimeoutMs + 300));
        const back = await attempt('alice');
        ctx.expect(back.code === 'connected', `the key set back: after resetTimeoutMs (${resetTimeoutMs} ms) the half-open trial reads it and the handshake connects`, back.shown);

        // AUTH-2: with a JWKS only RS256 and ES256. These handshakes go past RATE-1's default connection limit
        // (10 a minute per address), so the check, being the token issuer, first lifts it with an admin token of
        // its own (FIX-2); a target without the fixture is not asked.
        const admin = await sign(privateKey, ctx.uniqueId('admin'), 'c34-k1', 'ES256', ['admin']);
        const lifted = await http.send({ method: 'PUT', path: HTTP_PATHS.adminLimits, token: admin, body: { connection: { points: 1_000, durationMs: 60_000 } } });
        if (lifted.status !== 200) ctx.recorder.note(`PUT ${HTTP_PATHS.adminLimits} answered ${lifted.status}: the algorithms of AUTH-2 are not tried (they would pass the connection limit)`);
        else {
          for (const alg of ['RS256', 'PS256', 'RS512'] as const) {
            const got = await handshake(ctx, sibling.url, await sign(rsa.privateKey, ctx.uniqueId(`rsa-${alg}`), 'c34-rsa', alg));
            const want = alg === 'RS256' ? 'connected' : 'UNAUTHORIZED';
            ctx.expect(got.code === want, `a ${alg} token of a key in the set is ${want === 'connected' ? 'accepted' : 'refused UNAUTHORIZED'} (AUTH-2: only RS256 and ES256 with a JWKS)`, got.shown);
          }
        }

        endpoint.up = false;
        for (const user of ['alice', 'bob']) {
          const kept = await attempt(user);
          ctx.expect(kept.code === 'connected', `the key set down again: ${user}'s token (a known key) is verified with the last good set`, kept.shown);
        }
        const unknown = await attempt('mallory', 'c34-unknown');
        ctx.expect(unknown.code === 'UNAUTHORIZED' || unknown.code === 'UNAVAILABLE', 'a key id not in the last good set is refused, UNAUTHORIZED or UNAVAILABLE', unknown.shown);
        const health = await http.get(HTTP_PATHS.health);
        ctx.expect(health.status === 200, 'the target still serves (GET /health/socket 200)', String(health.status));
      });
    } finally {
      jwks.close();
      jwks.closeAllConnections();
    }
  },
});

function sign(key: CryptoKey | KeyObject, sub: string, kid: string, alg = 'ES256', roles = ['member']): Promise<string> {
  return new SignJWT({ roles }).setProtectedHeader({ alg, kid }).setSubject(sub).setIssuedAt().setExpirationTime('10m').sign(key);
}

async function handshake(ctx: CheckContext, url: string, token: string): Promise<{ code: string; retryAfterMs?: number; shown: string }> {
  const conn = await ctx.open('c34 handshake', { url });
  try {
    const outcome = await conn.connect({ token });
    if (outcome.kind !== 'refused') return { code: outcome.kind, shown: outcome.kind };
    const data = ConnectErrorData.safeParse(outcome.data);
    if (!data.success) return { code: 'refused', shown: `refused without the spec's data (${outcome.message})` };
    return { code: data.data.code, retryAfterMs: data.data.retryAfterMs, shown: JSON.stringify(data.data) };
  } finally {
    conn.close();
  }
}
