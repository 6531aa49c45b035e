import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { redactUrl } from '../../spec/redact.ts';
import { ServiceNotControllableError, type RedisService } from './service.ts';

/**
 * A lease on a Redis the caller gave by URL (REDIS_URL). That server is shared, so the lease gets a random
 * key prefix; its users must put every key under it (ioredis: `new Redis(url, { keyPrefix })`), and stop()
 * deletes exactly the keys under it: nobody else's data is read or flushed. The db index in the URL is kept.
 */
export async function leaseRedisFromUrl(url: string): Promise<RedisService> {
  const parsed = parseRedisUrl(url);
  const keyPrefix = `sockproof:${randomBytes(6).toString('hex')}:`;
  const connect = () => {
    const client = new Redis(url, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 1, retryStrategy: () => null });
    client.on('error', () => {}); // failures surface through connect()/commands as one error line
    return client;
  };

  const probe = connect();
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new Error(`REDIS_URL ${redactUrl(url)} did not answer: ${(error as Error).message}`);
  } finally {
    probe.disconnect();
  }

  let stopped = false;
  const notOurs = () => new ServiceNotControllableError('this Redis came from REDIS_URL, so the harness cannot kill or restart it (ask for needsControl: true)');
  return {
    source: 'url',
    url,
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    keyPrefix,
    controllable: false,
    pid: undefined,
    async stop() {
      if (stopped) return;
      stopped = true;
      await deleteKeysUnder(connect(), keyPrefix);
    },
    kill: () => Promise.reject(notOurs()),
    restart: () => Promise.reject(notOurs()),
  };
}

function parseRedisUrl(url: string): URL {
  if (URL.canParse(url)) {
    const parsed = new URL(url);
    if (parsed.protocol === 'redis:' || parsed.protocol === 'rediss:') return parsed;
  }
  throw new Error(`REDIS_URL must be a redis:// or rediss:// URL, got "${redactUrl(url)}"`);
}

async function deleteKeysUnder(client: Redis, prefix: string): Promise<void> {
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
