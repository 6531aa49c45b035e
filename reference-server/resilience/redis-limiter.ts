import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitName } from '../../spec/index.ts';
import type { DependencyBreaker } from './breaker.ts';
import { memoryLimiter, type LimiterFactory, type LimiterReset } from './rate-limits.ts';

/**
 * Rate limits shared by every node through Redis (RATE-1 across a cluster, DEG-3). Each call goes through
 * the `redis` breaker; when Redis fails, times out or the breaker is open, the call is counted by an
 * in-memory insurance limiter of the same rule instead, so limits still hold per node and nothing waits.
 * The client must have its offline queue disabled so that a call to an unreachable Redis fails at once.
 */
export function redisLimiters(
  client: Redis,
  keyPrefix: string,
  breaker: DependencyBreaker,
  /** The insurance limiters, one per rule, that count while Redis is unreachable (DEG-3). */
  insuranceFactory: LimiterFactory = memoryLimiter,
): { factory: LimiterFactory; reset: LimiterReset } {
  const prefixOf = (name: RateLimitName, scope?: string) => `${keyPrefix}rl:${scope ? `${scope}:` : ''}${name}`;
  const factory: LimiterFactory = (name, rule, scope) => {
    const duration = rule.durationMs / 1000;
    const shared = new RateLimiterRedis({ storeClient: client, keyPrefix: prefixOf(name, scope), points: rule.points, duration, rejectIfRedisNotReady: true });
    const insurance = insuranceFactory(name, rule, scope);
    return {
      async consume(key) {
        let verdict: { over?: RateLimiterRes };
        try {
          // "Over the limit" is an answer, not a failure: it must not count towards opening the breaker.
          verdict = await breaker.run(async () => {
            try {
              await shared.consume(key);
              return {};
            } catch (res) {
              if (res instanceof RateLimiterRes) return { over: res };
              throw res;
            }
          });
        } catch {
          return insurance.consume(key);
        }
        if (verdict.over) throw verdict.over;
        return undefined;
      },
    };
  };
  const reset: LimiterReset = async (name) => {
    // FIX-2 resets the limit's state: its keys in Redis, found by prefix (SCAN, never KEYS).
    const stream = client.scanStream({ match: `${prefixOf(name)}:*`, count: 500 });
    for await (const keys of stream as AsyncIterable<string[]>) if (keys.length > 0) await client.unlink(...keys);
  };
  return { factory, reset: (name) => reset(name).catch(() => {}) };
}
