import type { ServerConfig } from '../config.ts';
import type { RetryAfterOpen } from '../resilience/breaker.ts';
import type { LimiterFactory } from '../resilience/rate-limits.ts';

/*
 * Defects in clauses that no check observed before the clause audit (issue 13): BRK-4's call during
 * the half-open trial, DEG-3's limits without Redis, AUTH-3's iss and aud. Each is the plausible
 * shortcut a server takes where the clause is easy to forget.
 */

/**
 * `retry-after-zero-half-open`: a refused call is told the time until half-open, 0 once it has passed,
 * as the reference server did before SPEC 1.0.1; a call refused during the half-open trial is told "retry after 0"
 * (C37).
 */
export const retryAfterZeroHalfOpen: RetryAfterOpen = ({ msUntilHalfOpen }) => Math.max(0, msUntilHalfOpen);

/**
 * `limits-open-without-redis`: when Redis cannot count a call, the call is let through, as a limiter
 * that treats its store's errors as "not limited" does (DEG-3: each node counts alone instead; C38).
 */
export const failOpenLimiter: LimiterFactory = () => ({ consume: async () => undefined });

/** `issuer-audience-ignored`: the verifier is built without JWT_ISSUER and JWT_AUDIENCE, GET /spec still publishing them (AUTH-3, C39). */
export function withoutIssuerAudience(auth: ServerConfig['auth']): ServerConfig['auth'] {
  const { issuer: _issuer, audience: _audience, ...rest } = auth;
  return rest as ServerConfig['auth'];
}
