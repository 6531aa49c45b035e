import { createLocalJWKSet, errors as jose, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { DependencyBreaker } from '../resilience/breaker.ts';

/**
 * After a successful read, a token whose key is not in the set is refused without reading the set
 * again for this long (as jose's remote sets do), so that made-up key ids cannot hammer the issuer.
 */
export const JWKS_COOLDOWN_MS = 30_000;
/** A key set older than this is read again before use; if that read fails, the old one stays in use. */
export const JWKS_MAX_AGE_MS = 600_000;
/** A read still unanswered after this is abandoned (the breaker has given up on it sooner: DEPENDENCY_TIMEOUT_MS). */
const READ_ABORT_MS = 10_000;

/**
 * The keys of a JWKS endpoint (JWT_JWKS_URL), read through the `jwks` breaker (BRK-1, BRK-7). The last
 * key set read successfully is kept and used while the endpoint is down or the breaker open, so users
 * whose key is known keep connecting. A key id that is not in it makes the set be read again (after
 * the cooldown): while that read fails the token is answered UNAVAILABLE (the breaker's AppError,
 * with retryAfterMs: at once and without a request while the breaker is open), never UNAUTHORIZED,
 * as the key may well exist.
 */
export class JwksKeys {
  private current: { getKey: JWTVerifyGetKey; readAt: number } | undefined;
  private lastGoodReadAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | undefined;
  private readonly endpoint: URL;
  private readonly headers: Record<string, string> = { accept: 'application/json' };

  constructor(
    url: string,
    private readonly breaker: DependencyBreaker,
    private readonly onStaleKept: (err: unknown) => void = () => {},
  ) {
    // fetch refuses a URL with credentials: they travel as Basic authentication instead.
    this.endpoint = new URL(url);
    if (this.endpoint.username || this.endpoint.password) {
      const pair = `${decodeURIComponent(this.endpoint.username)}:${decodeURIComponent(this.endpoint.password)}`;
      this.headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
      this.endpoint.username = '';
      this.endpoint.password = '';
    }
  }

  /** jose's key getter: the key for the token's header, from the last good set or a fresh read. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const now = Date.now();
    if (!this.current) await this.read();
    else if (now - this.current.readAt > JWKS_MAX_AGE_MS) await this.read().catch(this.onStaleKept);
    try {
      return await this.current!.getKey(header, token);
    } catch (err) {
      if (!(err instanceof jose.JWKSNoMatchingKey) || now - this.lastGoodReadAt < JWKS_COOLDOWN_MS) throw err;
      await this.read();
      return await this.current!.getKey(header, token);
    }
  };

  /** One read at a time, through the breaker; a failure leaves the last good set in place. */
  private read(): Promise<void> {
    this.reading ??= this.breaker
      .run(async () => {
        const res = await fetch(this.endpoint, { headers: this.headers, redirect: 'error', signal: AbortSignal.timeout(READ_ABORT_MS) });
        if (!res.ok) throw new Error(`the key set answered HTTP ${res.status}`);
        const set = (await res.json()) as JSONWebKeySet;
        return createLocalJWKSet(set); // throws JWKSInvalid on a body that is not a key set
      })
      .then((getKey) => {
        this.current = { getKey, readAt: Date.now() };
        this.lastGoodReadAt = this.current.readAt;
      })
      .finally(() => (this.reading = undefined));
    return this.reading;
  }
}
