/** Where a service came from: a URL the caller gave, a local binary the harness started, or a container. */
export type ServiceSource = 'url' | 'local' | 'container';

export const ALL_SOURCES: readonly ServiceSource[] = ['url', 'local', 'container'];

/**
 * One test's private Redis or PostgreSQL. `stop()` is idempotent and always safe to call from afterAll;
 * what it does depends on the source (stop the process and delete its files, or drop only this lease's data).
 */
export interface ServiceLease {
  readonly source: ServiceSource;
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** False for services given by URL: the harness does not own them, so kill/restart throw. */
  readonly controllable: boolean;
  /** The server's process id while it runs (local source only). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
  /**
   * Sends `signal` (default SIGKILL). For terminating signals it resolves once the server is gone;
   * SIGSTOP/SIGCONT and the like resolve at once, so a test can freeze and thaw a server.
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Brings the server back on the same host and port with the same data (stopping it first if it runs). */
  restart(): Promise<void>;
}

export interface RedisService extends ServiceLease {
  /**
   * Prefix every key this lease's users write must start with. Empty for a private server; non-empty when
   * the server came from REDIS_URL and is shared, since stop() deletes exactly the keys under it.
   */
  readonly keyPrefix: string;
}

export interface PostgresService extends ServiceLease {
  readonly database: string;
  readonly user: string;
}

/** kill()/restart() on a service the harness does not own. */
export class ServiceNotControllableError extends Error {
  override name = 'ServiceNotControllableError';
}

/** Signals after which the process is expected to end, so kill() waits for it. */
export const TERMINATING_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGABRT']);
