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
  title: 'JWKS reads go through a breaker: with the key set down, handshakes are UNAVAILABLE, then answered at once without reading it; known keys keep working from the last good set',
  group: 'Production readiness',
  level: 'MUST',
  rules: ['BRK-7', 'BRK-1', 'BRK-4'],
  needs: ['harness-started'],
  withoutFixtures: true,
  timeoutMs: 150_000, // a second target starts within it (slow on a loaded machine)
  async run(ctx: CheckContext) {
    // The check is the token issuer: its own key pair and a JWKS endpoint it takes down and brings back.
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const keys = [{ ...(await exportJWK(publicKey)), kid: 'c34-k1', alg: 'ES256', use: 'sig' }];
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

function sign(key: CryptoKey, sub: string, kid: string): Promise<string> {
  return new SignJWT({ roles: ['member'] }).setProtectedHeader({ alg: 'ES256', kid }).setSubject(sub).setIssuedAt().setExpirationTime('10m').sign(key);
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
