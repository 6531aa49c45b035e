import type { CryptoKey, KeyObject } from 'jose';
import { mintToken, signToken, type TokenRequest } from '../../spec/tokens.ts';

/**
 * How a run gets the tokens staging accepts: minted with the deployment's HS256 secret, or signed with a
 * private key whose public half is in the JWKS its nodes verify with (kid, iss, aud as staging expects).
 */
export interface RunTokens {
  kind: 'hs256' | 'jwks';
  mint(req: Omit<TokenRequest, 'issuer' | 'audience'>): Promise<string>;
  /** The HS256 secret, when the deployment has one: the shared fixtures (channel, limits) mint with it. */
  secret: string | undefined;
}

interface Claims {
  issuer?: string | undefined;
  audience?: string | undefined;
}

function claimsOf(c: Claims): Pick<TokenRequest, 'issuer' | 'audience'> {
  return { ...(c.issuer ? { issuer: c.issuer } : {}), ...(c.audience ? { audience: c.audience } : {}) };
}

export function hs256Tokens(secret: string): RunTokens {
  return { kind: 'hs256', secret, mint: (req) => mintToken(secret, req) };
}

export function jwksTokens(key: CryptoKey | KeyObject, opts: Claims & { alg: 'RS256' | 'ES256'; kid: string }): RunTokens {
  return { kind: 'jwks', secret: undefined, mint: (req) => signToken({ key, alg: opts.alg, kid: opts.kid }, { ...req, ...claimsOf(opts) }) };
}
