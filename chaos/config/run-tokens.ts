import type { CryptoKey, KeyObject } from 'jose';
import { signingTokenSource, type TokenSource } from '../../testbed/targets/token-source.ts';

/**
 * The token source of a `jwks` config: every token (users, history reader, the runner's admin token) signed
 * with a private key whose public half is in the JWKS staging's nodes verify with, with the kid, iss and aud
 * they expect. (`hs256` is hs256TokenSource, `tokens` suppliedTokenSource: testbed/targets/token-source.ts.)
 */
export function jwksTokens(key: CryptoKey | KeyObject, opts: { alg: 'RS256' | 'ES256'; kid: string; issuer?: string | undefined; audience?: string | undefined }): TokenSource {
  return signingTokenSource({ key, alg: opts.alg, kid: opts.kid }, opts);
}
