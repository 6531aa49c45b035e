import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { PartialRateLimitTable, RateLimitName, RateLimitRule, RateLimitTable } from '../../spec/index.ts';
import { errors } from '../errors.ts';

/** Makes the limiter for one rule; the multi-node server swaps in a Redis-backed one. */
export type LimiterFactory = (name: RateLimitName, rule: RateLimitRule) => RateLimiterAbstract;

export const memoryLimiter: LimiterFactory = (name, rule) =>
  new RateLimiterMemory({ keyPrefix: name, points: rule.points, duration: rule.durationMs / 1000 });

/**
 * The rate-limit table in force (RATE-1..4, FIX-2). Replacing a limit replaces its limiter,
 * which also resets its counts.
 */
export class RateLimits {
  private table: RateLimitTable;
  private limiters = new Map<RateLimitName, RateLimiterAbstract>();

  constructor(
    private readonly configured: RateLimitTable,
    private readonly factory: LimiterFactory = memoryLimiter,
    /** When false, limits are published but not enforced (a fault for conformance tests). */
    private readonly enforce = true,
  ) {
    this.table = { ...configured };
    this.rebuild(Object.keys(configured) as RateLimitName[]);
  }

  current(): RateLimitTable {
    return { ...this.table };
  }

  /** Counts one call; throws RATE_LIMITED with retryAfterMs when over the limit. */
  async consume(name: RateLimitName, key: string): Promise<void> {
    const limiter = this.limiters.get(name);
    if (!limiter || !this.enforce) return;
    try {
      await limiter.consume(key);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw errors.rateLimited(res.msBeforeNext);
      throw res;
    }
  }

  replace(partial: PartialRateLimitTable): RateLimitTable {
    this.table = { ...this.table, ...partial };
    this.rebuild(Object.keys(partial) as RateLimitName[]);
    return this.current();
  }

  restore(): RateLimitTable {
    this.table = { ...this.configured };
    this.rebuild(Object.keys(this.configured) as RateLimitName[]);
    return this.current();
  }

  private rebuild(names: RateLimitName[]): void {
    for (const name of names) this.limiters.set(name, this.factory(name, this.table[name]));
  }
}
