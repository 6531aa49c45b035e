/**
 * Reconnect policy for Redis: exponential from minMs, capped at maxMs, with up to `jitter` extra (DEG-6).
 * Not the supervisor's restart policy (supervisor/backoff.ts), though both grow exponentially: a reconnect
 * retries for ever and must not fall below minMs, so its jitter is added on top; a restart has a budget,
 * and full jitter spreads a fleet of crashing servers over [0, ceiling).
 */
export interface ReconnectPolicy {
  minMs: number;
  maxMs: number;
  /** Fraction of the step added at random (0.2 = up to 20 % longer), so nodes do not reconnect in lockstep. */
  jitter: number;
}

export const REDIS_BACKOFF_JITTER = 0.2;

/** The shape of reconnectDelay, so a faulty build can swap the policy in (faults/dependency-clauses.ts). */
export type ReconnectDelay = (attempt: number, policy: ReconnectPolicy, random?: () => number) => number;

/**
 * Delay before reconnect attempt `attempt` (1 = first after a loss): min·2^(attempt-1), plus jitter,
 * never above max. Pure: `random` is passed in so tests can pin it.
 */
export function reconnectDelay(attempt: number, policy: ReconnectPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 40); // 2^40 already dwarfs any max
  const step = Math.min(policy.maxMs, policy.minMs * 2 ** exponent);
  return Math.round(Math.min(policy.maxMs, step * (1 + policy.jitter * random())));
}
