import { Redis, type RedisOptions } from 'ioredis';

/**
 * An ioredis client whose failed commands never become unhandled rejections. The streams adapter fires
 * some commands without awaiting them (session SET, ephemeral PUBLISH); while Redis is down they fail,
 * and an unhandled rejection would take the process down (OPS-4). Callers that await still see the error.
 * Its duplicates (the adapter's reader and subscriber) are QuietRedis too, with `duplicateWith` applied.
 */
export class QuietRedis extends Redis {
  private readonly url: string;
  private readonly base: RedisOptions;
  private readonly duplicateWith: RedisOptions;

  constructor(url: string, options: RedisOptions, duplicateWith: RedisOptions = {}) {
    super(url, options);
    this.url = url;
    this.base = options;
    this.duplicateWith = duplicateWith;
  }

  override sendCommand(...args: Parameters<Redis['sendCommand']>): unknown {
    const result = super.sendCommand(...args);
    if (result instanceof Promise) result.catch(() => {});
    return result;
  }

  override duplicate(override: Partial<RedisOptions> = {}): Redis {
    return new QuietRedis(this.url, { ...this.base, ...this.duplicateWith, ...override }, this.duplicateWith);
  }
}
