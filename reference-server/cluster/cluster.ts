import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import type { HealthResponse } from '../../spec/index.ts';
import type { ServerConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { REDIS_BACKOFF_JITTER, reconnectDelay, type ReconnectDelay } from './reconnect-delay.ts';
import { QuietRedis } from './quiet-redis.ts';
import { CrossNodeRelay, type RelayMessage } from './relay.ts';

// How often held sends are retried when no reconnect event announces the link (a silent blackhole heals).
const FLUSH_RETRY_MS = 1_000;

export interface ClusterEvents {
  /** A Redis connection of the node is back after a loss (MET-1 redisReconnects). */
  reconnected(client: string): void;
  /** The node's Redis link went down or came back (DEG-5). */
  linkChanged(up: boolean): void;
  /** A held cross-node send was dropped (DEG-2). */
  dropped(reason: string): void;
}

/** What the rest of the node sees of the cluster: is the cross-node link up. */
export interface CrossNodeLink {
  up(): boolean;
}

export interface Cluster extends CrossNodeLink {
  /** Socket.IO's adapter over Redis Streams, with held sends while Redis is down. */
  readonly adapter: ReturnType<typeof createAdapter>;
  /** The client for the node's own Redis calls (rate limits), behind the `redis` breaker. */
  readonly app: Redis;
  /** Waits until Redis answers, up to `timeoutMs`; false when it did not (the node starts degraded). */
  ready(timeoutMs: number): Promise<boolean>;
  check(): Promise<HealthResponse['checks'][string]>;
  relayStats(): { buffered: number; dropped: number; flushed: number };
  /** BRK-5: reconnects at once instead of waiting for the next backoff step. */
  reconnectNow(): void;
  close(): Promise<void>;
}

/**
 * The node's Redis side (REDIS_URL): one client for its own calls, one for the adapter (whose reader and
 * subscriber are duplicates of it), all reconnecting with exponential backoff and jitter (DEG-6).
 * Commands of the node's own and the adapter's publishing client fail at once while Redis is down
 * (no offline queue, bounded by DEPENDENCY_TIMEOUT_MS): nothing waits on an unreachable Redis.
 */
export function openCluster(config: ServerConfig, log: Logger, events: ClusterEvents, delayOf: ReconnectDelay = reconnectDelay): Cluster {
  const url = config.redisUrl!;
  const { keyPrefix } = config.redis;
  const backoff = { minMs: config.redis.reconnectMinMs, maxMs: config.redis.reconnectMaxMs, jitter: REDIS_BACKOFF_JITTER };
  const retryStrategy = (name: string) => (attempt: number) => {
    const delayMs = delayOf(attempt, backoff);
    log.info({ redisClient: name, attempt, delayMs }, 'redis reconnect scheduled');
    return delayMs;
  };
  const failFast = {
    // Commands issued in one turn of the event loop go out as one write (a broadcast's XADD and the
    // rate limits' scripts of many sends): one syscall and one Redis read instead of one per command.
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0, // a command in flight when the connection drops fails instead of being resent later
    commandTimeout: config.dependencyTimeoutMs,
    connectTimeout: config.dependencyTimeoutMs,
  };

  const app = new QuietRedis(url, { ...failFast, retryStrategy: retryStrategy('app'), connectionName: 'sockproof-app' });
  // The adapter's reader (blocking XREAD) and subscriber may wait for a reconnect: they carry no caller.
  const publisher = new QuietRedis(
    url,
    { ...failFast, retryStrategy: retryStrategy('adapter'), connectionName: 'sockproof-adapter' },
    { enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined, enableAutoPipelining: false },
  );

  const linkUp = () => app.status === 'ready' && publisher.status === 'ready';
  let wasUp = false;
  const noteLink = () => {
    const up = linkUp();
    if (up !== wasUp) {
      wasUp = up;
      events.linkChanged(up);
    }
  };
  const relay = new CrossNodeRelay(config.redis.crossNodeBufferMax, linkUp, (reason) => events.dropped(reason));
  for (const [name, client] of [['app', app], ['adapter', publisher]] as const) {
    let connectedBefore = false;
    client.on('ready', () => {
      if (connectedBefore) events.reconnected(name);
      connectedBefore = true;
      noteLink();
      void relay.flush();
    });
    client.on('close', noteLink);
    client.on('error', (err: Error) => log.debug({ redisClient: name, err: err.message }, 'redis error'));
  }
  const flushTimer = setInterval(() => void relay.flush(), FLUSH_RETRY_MS);
  flushTimer.unref();

  const makeAdapter = createAdapter(publisher, {
    streamName: `${keyPrefix}socket.io`,
    channelPrefix: `${keyPrefix}socket.io`,
    sessionKeyPrefix: `${keyPrefix}sio:session:`,
    onlyPlaintext: true, // chat payloads are JSON; skips the binary scan of every packet
    // SES-9: the stream the nodes exchange broadcasts through is also what recovery reads missed
    // broadcasts from; Redis trims it in blocks (MAXLEN ~), so it holds up to a block more.
    maxLen: config.recoveryBufferPackets,
  });
  // A function, not an arrow: Socket.IO calls the adapter factory with `new`.
  const adapter = function wrapAdapter(nsp: Parameters<typeof makeAdapter>[0]) {
    const instance = makeAdapter(nsp);
    // The one seam the adapter offers for its outgoing traffic: every cross-node send passes the relay.
    const publish = instance.doPublish.bind(instance) as (m: RelayMessage) => Promise<unknown>;
    instance.doPublish = ((message: RelayMessage) => relay.send(message, publish)) as typeof instance.doPublish;
    return instance;
  } as typeof makeAdapter;

  return {
    adapter,
    app,
    up: linkUp,
    async ready(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!linkUp() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      return linkUp();
    },
    async check() {
      if (!linkUp()) return { status: 'down', detail: `redis ${app.status}/${publisher.status}` };
      try {
        await app.ping();
        const { buffered } = relay.stats();
        return buffered > 0 ? { status: 'degraded', detail: `${buffered} cross-node sends waiting` } : { status: 'up' };
      } catch (err) {
        return { status: 'down', detail: (err as Error).message };
      }
    },
    relayStats: () => relay.stats(),
    reconnectNow() {
      for (const client of [app, publisher]) if (client.status === 'reconnecting') client.disconnect(true);
    },
    async close() {
      clearInterval(flushTimer);
      app.disconnect();
      publisher.disconnect();
    },
  };
}
