import { readFile } from 'node:fs/promises';
import { importPKCS8 } from 'jose';
import type { Role } from '../auth.ts';
import { mintToken, signToken } from '../tokens.ts';

/** What a check asks a token for. */
export interface TokenSpec {
  sub: string;
  name?: string;
  roles?: Role[];
  ttlSec?: number;
  extra?: Record<string, unknown>;
}

/** Mints tokens the target accepts: with its shared HS256 secret, or with a private key whose public half the target's JWKS holds. */
export interface TokenMinter {
  readonly kind: 'secret' | 'private-key';
  mint(spec: TokenSpec): Promise<string>;
  /** The HS256 secret, when known: checks use it to make tokens the target must refuse. */
  readonly secret: string | undefined;
}

export function secretMinter(secret: string, claims: { issuer?: string; audience?: string }): TokenMinter {
  return {
    kind: 'secret',
    secret,
    mint: (spec) => mintToken(secret, { ...spec, ...definedClaims(claims) }),
  };
}

export async function privateKeyMinter(
  pemFile: string,
  alg: 'RS256' | 'ES256',
  kid: string | undefined,
  claims: { issuer?: string; audience?: string },
): Promise<TokenMinter> {
  const key = await importPKCS8(await readFile(pemFile, 'utf8'), alg);
  return {
    kind: 'private-key',
    secret: undefined,
    mint: (spec) => signToken({ key, alg, kid }, { ...spec, ...definedClaims(claims) }),
  };
}

function definedClaims(c: { issuer?: string; audience?: string }): { issuer?: string; audience?: string } {
  return { ...(c.issuer ? { issuer: c.issuer } : {}), ...(c.audience ? { audience: c.audience } : {}) };
}
