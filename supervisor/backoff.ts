/**
 * The restart policy, pure so that property tests reach it: exponential backoff with full
 * jitter, a retry budget, and the rule that resets both once the server has stayed healthy.
 * (PM2, systemd and supervisord restart at fixed or un-jittered delays, so a fleet of crashing
 * servers retries in lock-step; full jitter spreads them out.)
 */

export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** How many restarts in a row are allowed before giving up. */
  maxRetries: number;
}

/** The largest delay allowed before restart number `attempt` (0-based): min(max, initial × factor^attempt). */
export function backoffCeilingMs(policy: BackoffPolicy, attempt: number): number {
  if (policy.initialDelayMs === 0) return 0;
  const raw = policy.initialDelayMs * Math.pow(policy.factor, attempt);
  // factor^attempt overflows to Infinity for large attempts; min() keeps it at the cap.
  return Math.min(policy.maxDelayMs, Number.isFinite(raw) ? raw : policy.maxDelayMs);
}

/**
 * Full jitter: a delay drawn uniformly from [0, ceiling). `random` returns [0, 1) like
 * Math.random, injectable so tests can replay draws.
 */
export function jitteredDelayMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = backoffCeilingMs(policy, attempt);
  return Math.floor(random() * ceiling);
}

/** What to do after the server failed for the `failuresInARow`-th time since it was last stable. */
export type RestartDecision =
  | { action: 'restart'; attempt: number; delayMs: number; ceilingMs: number }
  | { action: 'give-up'; failuresInARow: number };

export function decideRestart(policy: BackoffPolicy, failuresInARow: number, random: () => number = Math.random): RestartDecision {
  if (failuresInARow > policy.maxRetries) return { action: 'give-up', failuresInARow };
  const attempt = failuresInARow - 1;
  return { action: 'restart', attempt, delayMs: jitteredDelayMs(policy, attempt, random), ceilingMs: backoffCeilingMs(policy, attempt) };
}

/**
 * How long the server must stay healthy before its failures are forgiven: as long as the
 * longest backoff delay, and at least one health interval. A server that crashes less often
 * than that is restarted for ever, at the initial delay; one that crashes faster uses up the
 * budget.
 */
export function stableAfterMs(policy: BackoffPolicy, healthIntervalMs: number): number {
  return Math.max(policy.maxDelayMs, healthIntervalMs);
}

export function isStable(healthySinceMs: number, nowMs: number, policy: BackoffPolicy, healthIntervalMs: number): boolean {
  return nowMs - healthySinceMs >= stableAfterMs(policy, healthIntervalMs);
}
