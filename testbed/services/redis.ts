import { redisAvailability, type RedisOptions } from './availability.ts';
import type { RedisService } from './service.ts';

/**
 * A private Redis from the first source that works (REDIS_URL, local redis-server, container). Rejects with
 * ServiceUnavailableError, whose message says what to install, when there is none; suites that would rather
 * skip use redisAvailability().
 */
export async function startRedis(options: RedisOptions = {}): Promise<RedisService> {
  return (await redisAvailability({ quiet: true, ...options })).start();
}
