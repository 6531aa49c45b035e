import { mintToken, type Role } from '../../spec/index.ts';

/** What a run asks a token for: whom (a user of the run, or the runner as admin), and for how long. */
export interface TokenAsk {
  sub: string;
  roles?: Role[];
  ttlSec: number;
}

/**
 * Where a run's tokens come from, built once at the edge: the HS256 secret (flags, or a config's `hs256`), or a
 * private key whose public half staging's JWKS publishes (chaos/config/run-tokens.ts signs with kid, iss, aud).
 * The clients, the fixtures and the history reader ask it; none of them holds a secret.
 */
export interface TokenSource {
  mint(ask: TokenAsk): Promise<string>;
}

export function hs256TokenSource(secret: string): TokenSource {
  return { mint: (ask) => mintToken(secret, ask) };
}

/** The token source of an access: its own, or the HS256 secret it carries. */
export function tokensOf(access: { jwtSecret: string; tokens?: TokenSource | undefined }): TokenSource {
  return access.tokens ?? hs256TokenSource(access.jwtSecret);
}
