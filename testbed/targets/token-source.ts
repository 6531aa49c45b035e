import { mintToken, signToken, type Role, type TokenRequest } from '../../spec/index.ts';

/** What a run asks a user token for: the user it would name (a source of supplied tokens names its own), and for how long. */
export interface UserAsk {
  sub: string;
  roles?: Role[];
  ttlSec: number;
}

/** A user of the run: the `sub` its token names (the one asked, or the operator's own) and the token. */
export interface RunUser {
  sub: string;
  token: string;
  /**
   * The user's freshest token, when its source refreshes them during the run (supplied tokens with a refresh
   * command): what a (re)connection or a later read presents. Absent: `token` holds for the whole run.
   */
  current?: () => string;
}

/** The token a user presents now: its freshest, or the one it was given. */
export function tokenNow(user: RunUser): string {
  return user.current?.() ?? user.token;
}

/**
 * Where a run's tokens come from, built once at the edge: the HS256 secret (--jwt-secret, a started server's,
 * or a config's `hs256`), a private key whose public half staging's JWKS publishes (a config's `jwks`), or
 * tokens the operator supplied (a config's `tokens`). The clients, the fixtures and the history reader ask it;
 * none of them holds a secret, and none of them mints.
 */
export interface TokenSource {
  /** For the output and errors: how the tokens are had (never a token or a secret). */
  readonly describe: string;
  /**
   * How many distinct users one scenario may ask for: Infinity when the source mints. A source of supplied
   * tokens hands them out in turn, so any `users` asks in a row are distinct users; a run whose scenario needs
   * more is refused before it starts (chaos/config/users-needed.ts).
   */
  readonly users: number;
  /** A token for a user of the run: minted for `ask.sub`, or the next supplied user (whose own sub is returned). */
  user(ask: UserAsk): Promise<RunUser>;
  /** The runner's admin token: fixtures (FIX-1..4). */
  admin(): Promise<string>;
}

/** The runner's admin identity when it mints its own admin token. */
export const RUNNER_ADMIN_SUB = 'sockproof-runner';
const ADMIN_TTL_SEC = 600;

/** A source that mints every token with `sign` (HS256 or a private key): any sub, any number of users. */
function mintingSource(describe: string, sign: (req: TokenRequest) => Promise<string>): TokenSource {
  return {
    describe,
    users: Number.POSITIVE_INFINITY,
    user: async (ask) => ({ sub: ask.sub, token: await sign(ask) }),
    admin: () => sign({ sub: RUNNER_ADMIN_SUB, roles: ['admin'], ttlSec: ADMIN_TTL_SEC }),
  };
}

/** The `iss` and `aud` a deployment requires of every token (JWT_ISSUER, JWT_AUDIENCE; AUTH-3), when it does. */
export interface RequiredClaims {
  issuer?: string | undefined;
  audience?: string | undefined;
}

function claimsOf(claims: RequiredClaims): { issuer?: string; audience?: string } {
  return { ...(claims.issuer ? { issuer: claims.issuer } : {}), ...(claims.audience ? { audience: claims.audience } : {}) };
}

/** What the tokens carry besides sub, roles and exp, for `describe` (iss and aud are not secrets). */
function withClaims(describe: string, claims: RequiredClaims): string {
  const named = [claims.issuer ? `iss ${claims.issuer}` : '', claims.audience ? `aud ${claims.audience}` : ''].filter(Boolean);
  return named.length ? `${describe}, with ${named.join(' and ')}` : describe;
}

export function hs256TokenSource(secret: string, claims: RequiredClaims = {}): TokenSource {
  const extra = claimsOf(claims);
  return mintingSource(withClaims('minted with the HS256 secret', claims), (req) => mintToken(secret, { ...req, ...extra }));
}

/** Signs with a private key whose public half is in the JWKS the nodes verify with (kid, iss, aud as they expect). */
export function signingTokenSource(signer: Parameters<typeof signToken>[0], claims: RequiredClaims): TokenSource {
  const extra = claimsOf(claims);
  return mintingSource(withClaims(`signed with the configured private key (kid ${signer.kid ?? '-'})`, claims), (req) => signToken(signer, { ...req, ...extra }));
}

/**
 * Tokens the operator supplied: one per distinct user, handed out in turn (the run's users are whoever they
 * name), and one admin token for the fixtures. The tokens are held here and nowhere else. `refreshed`: the
 * freshest token of a user when they are refreshed during the run (chaos/config/token-refresh.ts).
 */
export function suppliedTokenSource(users: readonly RunUser[], adminToken: string, refreshed?: { current(sub: string): string | undefined; describe: string }): TokenSource {
  if (users.length === 0) throw new Error('supplied tokens: at least one user token is needed');
  let next = 0;
  return {
    describe: `${users.length} user token(s) supplied by the operator${refreshed ? `, ${refreshed.describe}` : ''}`,
    users: users.length,
    user: async () => {
      const u = users[next % users.length]!;
      next++;
      if (!refreshed) return { sub: u.sub, token: u.token };
      const current = () => refreshed.current(u.sub) ?? u.token;
      return { sub: u.sub, token: current(), current };
    },
    admin: async () => adminToken,
  };
}

/** No way to have tokens (a --target given without --jwt-secret, for a command that needs none): asking says why. */
export function noTokenSource(why: string): TokenSource {
  const refuse = () => Promise.reject(new Error(why));
  return { describe: 'no tokens', users: 0, user: refuse, admin: refuse };
}
