import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { PartialRateLimitTable, RateLimitName, RateLimitRule, RateLimitTable } from '../../spec/index.ts';
import { errors } from '../errors.ts';
import type { RelaxedRule } from './relaxation-table.ts';

/** What RateLimits needs of a limiter: count one call, reject with RateLimiterRes when over. */
export interface Limiter {
  consume(key: string): Promise<unknown>;
}

/**
 * Makes the limiter for one rule; the multi-node server swaps in a Redis-backed one. `scope` keeps the
 * counts of a relaxation's rule (FIX-4) apart from the table's.
 */
export type LimiterFactory = (name: RateLimitName, rule: RateLimitRule, scope?: string) => Limiter;

/** The relaxation covering a call of `name` keyed by `key` (FIX-4), if any: looked up in memory on every call. */
export type RelaxationLookup = (name: RateLimitName, key: string) => RelaxedRule | undefined;

/** Forgets the counts of a limit everywhere they are kept (shared limiters: in Redis). */
export type LimiterReset = (name: RateLimitName) => Promise<void>;

export const memoryLimiter: LimiterFactory = (name, rule, scope) =>
  new RateLimiterMemory({ keyPrefix: scope ? `${scope}:${name}` : name, points: rule.points, duration: rule.durationMs / 1000 });

/**
 * The rate-limit table in force (RATE-1..4, FIX-2). Replacing a limit replaces its limiter,
 * which also resets its counts.
 */
export class RateLimits {
  private table: RateLimitTable;
  private limiters = new Map<RateLimitName, Limiter>();

  constructor(
    private readonly configured: RateLimitTable,
    private readonly factory: LimiterFactory = memoryLimiter,
    /** Shared limiters keep counts outside the process; FIX-2 must clear them there too. */
    private readonly resetShared?: LimiterReset,
    /** FIX-4: a relaxed user's (or address's) calls count against the relaxation's rule instead. */
    private readonly relaxed: RelaxationLookup = () => undefined,
  ) {
    this.table = { ...configured };
    // At start-up only the local limiters are built: shared counts belong to the running cluster.
    for (const name of Object.keys(configured) as RateLimitName[]) this.limiters.set(name, this.factory(name, this.table[name]));
  }

  current(): RateLimitTable {
    return { ...this.table };
  }

  /** Counts one call; throws RATE_LIMITED with retryAfterMs when over the limit. */
  async consume(name: RateLimitName, key: string): Promise<void> {
    const relaxation = this.relaxed(name, key);
    const limiter = relaxation ? relaxedLimiter(relaxation, name, this.factory) : this.limiters.get(name);
    if (!limiter) return;
    try {
      await limiter.consume(key);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw errors.rateLimited(res.msBeforeNext);
      throw res;
    }
  }

  async replace(partial: PartialRateLimitTable): Promise<RateLimitTable> {
    this.table = { ...this.table, ...partial };
    await this.rebuild(Object.keys(partial) as RateLimitName[]);
    return this.current();
  }

  async restore(): Promise<RateLimitTable> {
    this.table = { ...this.configured };
    await this.rebuild(Object.keys(this.configured) as RateLimitName[]);
    return this.current();
  }

  private async rebuild(names: RateLimitName[]): Promise<void> {
    for (const name of names) this.limiters.set(name, this.factory(name, this.table[name]));
    if (this.resetShared) await Promise.all(names.map((name) => this.resetShared!(name)));
  }
}

/** The relaxation's limiter for `name`, made on first use; its counts are per relaxation and rule. */
function relaxedLimiter(relaxation: RelaxedRule, name: RateLimitName, factory: LimiterFactory): Limiter {
  let limiter = relaxation.limiters.get(name);
  if (!limiter) {
    const { rule } = relaxation;
    limiter = factory(name, rule, `relax:${relaxation.id}:${rule.points}/${rule.durationMs}`);
    relaxation.limiters.set(name, limiter);
  }
  return limiter;
}

/** What the node uses of its rate limits (RateLimits, or a wrapper around it). */
export type Limits = Pick<RateLimits, 'current' | 'consume' | 'replace' | 'restore'>;
