import { generateKeyPair, SignJWT } from 'jose';
import type { TokenMinter } from '../../tokens.ts';

/** A token a server pinned to the spec's algorithms must refuse, and why. */
export interface BadToken {
  what: string;
  /** The handshake's auth object (a missing token is a missing field). */
  auth: Record<string, unknown> | undefined;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Tokens a conformant server refuses (AUTH-1..4). Those needing the HS256 secret are skipped without it. */
export async function badTokens(sub: string, minter: TokenMinter): Promise<BadToken[]> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub, roles: ['member'], iat: now, exp: now + 3600 };
  const out: BadToken[] = [
    { what: 'no auth object', auth: undefined },
    { what: 'auth without a token', auth: {} },
    { what: 'a token that is not a JWT', auth: { token: 'not-a-jwt' } },
    { what: 'alg: none', auth: { token: `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.` } },
    { what: 'an expired token (10 minutes ago)', auth: { token: await minter.mint({ sub, ttlSec: -600 }) } },
  ];
  const wrongKey = new TextEncoder().encode('another-secret-that-is-long-enough-to-sign-with-hs256');
  out.push({ what: 'HS256 signed with the wrong key', auth: { token: await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(wrongKey) } });
  const { privateKey } = await generateKeyPair('RS256');
  out.push({ what: 'RS256 signed with a key the target does not know', auth: { token: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).sign(privateKey) } });
  if (minter.secret) {
    const key = new TextEncoder().encode(minter.secret);
    const sign = (payload: Record<string, unknown>, alg = 'HS256') => new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).sign(key);
    out.push(
      { what: 'HS512 with the right secret (algorithm not pinned)', auth: { token: await sign(claims, 'HS512') } },
      { what: 'HS384 with the right secret (algorithm not pinned)', auth: { token: await sign(claims, 'HS384') } },
      { what: 'no exp claim', auth: { token: await sign({ sub, roles: ['member'], iat: now }) } },
      { what: 'nbf an hour ahead', auth: { token: await sign({ ...claims, nbf: now + 3600 }) } },
      { what: 'roles outside member/moderator/admin', auth: { token: await sign({ ...claims, roles: ['root'] }) } },
      { what: 'sub of 129 characters', auth: { token: await sign({ ...claims, sub: 's'.repeat(129) }) } },
      // AUTH-4 (decided in 1.0.1): a name claim is a display name (TEXT-4), 1-100 code points after normalising; only the default from sub is cut.
      { what: 'a name claim of 101 code points', auth: { token: await sign({ ...claims, name: 'n'.repeat(101) }) } },
      { what: 'a name claim empty after normalising (control characters only)', auth: { token: await sign({ ...claims, name: '\u0001\u0002' }) } },
      { what: 'no sub claim', auth: { token: await sign({ roles: ['member'], iat: now, exp: now + 3600 }) } },
      { what: 'algorithm confusion: HS256 keyed with an RSA public key', auth: { token: await confusion(claims) } },
    );
  }
  return out;
}

/** HS256 over a PEM public key: what a verifier that trusts the header's alg accepts. */
async function confusion(claims: Record<string, unknown>): Promise<string> {
  const { publicKey } = await generateKeyPair('RS256', { extractable: true });
  const { exportSPKI } = await import('jose');
  const pem = await exportSPKI(publicKey);
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(pem));
}
