import { SignJWT } from 'jose';
import type { Role } from './auth.ts';

/** What a token minted for this spec says (AUTH-4). */
export interface TokenRequest {
  sub: string;
  name?: string;
  roles?: Role[];
  /** Lifetime in seconds from now; negative makes an already-expired token. */
  ttlSec?: number;
  issuer?: string;
  audience?: string;
  /** Extra claims, applied last so a harness can probe claim validation with bad ones. */
  extra?: Record<string, unknown>;
}

/** Signs an HS256 token with a shared secret, the form every sockproof server accepts. */
export function mintToken(secret: string, req: TokenRequest): Promise<string> {
  return signToken({ key: new TextEncoder().encode(secret), alg: 'HS256' }, req);
}

/** Signs a token with any key the target trusts (an HS256 secret, or a private key its JWKS publishes). */
export async function signToken(signer: { key: Parameters<SignJWT['sign']>[0]; alg: string; kid?: string }, req: TokenRequest): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ roles: req.roles ?? ['member'], ...(req.name ? { name: req.name } : {}), ...req.extra })
    .setProtectedHeader({ alg: signer.alg, typ: 'JWT', ...(signer.kid ? { kid: signer.kid } : {}) })
    .setSubject(req.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + (req.ttlSec ?? 3600));
  if (req.issuer) jwt.setIssuer(req.issuer);
  if (req.audience) jwt.setAudience(req.audience);
  return jwt.sign(signer.key);
}
