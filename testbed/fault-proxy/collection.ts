import { ApiError, proxyAlreadyExists, proxyNotFound } from './errors.ts';
import { FaultProxy, requireHostPort, type ProxySettings } from './proxy.ts';

/** All proxies of one fault-proxy server, by name. Changes run one at a time, so API calls never interleave. */
export class ProxyCollection {
  private readonly proxies = new Map<string, FaultProxy>();
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `change` after every earlier change has settled. */
  exclusive<T>(change: () => Promise<T> | T): Promise<T> {
    const run = this.tail.then(change, change);
    this.tail = run.catch(() => {});
    return run;
  }

  list(): FaultProxy[] {
    return [...this.proxies.values()];
  }

  get(name: string): FaultProxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw proxyNotFound();
    return proxy;
  }

  add(settings: ProxySettings): Promise<FaultProxy> {
    return this.exclusive(async () => {
      if (this.proxies.has(settings.name)) throw proxyAlreadyExists();
      const proxy = create(settings);
      if (settings.enabled) await proxy.start();
      this.proxies.set(proxy.name, proxy);
      return proxy;
    });
  }

  remove(name: string): Promise<void> {
    return this.exclusive(async () => {
      const proxy = this.get(name);
      this.proxies.delete(name);
      await proxy.stop();
    });
  }

  /**
   * Creates or replaces several proxies, as Toxiproxy's /populate: a proxy whose listen and upstream are
   * unchanged is kept as it is (toxics and connections included); one that differs is stopped and replaced.
   * The whole request is checked before anything changes. On failure, the error carries what was applied.
   */
  populate(inputs: ProxySettings[]): Promise<FaultProxy[]> {
    return this.exclusive(async () => {
      const seen = new Set<string>();
      inputs.forEach((input, i) => {
        if (seen.has(input.name)) throw new ApiError(`duplicate proxy name "${input.name}" at proxy ${i + 1}`, 400);
        seen.add(input.name);
        requireHostPort('upstream', input.upstream);
        requireHostPort('listen', input.listen);
      });
      const applied: FaultProxy[] = [];
      for (const input of inputs) {
        const existing = this.proxies.get(input.name);
        if (existing && existing.listen === input.listen && existing.upstream === input.upstream) {
          applied.push(existing);
          continue;
        }
        try {
          await existing?.stop();
          const proxy = create(input);
          if (input.enabled) await proxy.start();
          this.proxies.set(proxy.name, proxy);
          applied.push(proxy);
        } catch (err) {
          throw new PopulateError(err instanceof ApiError ? err : new ApiError(String(err), 500), applied);
        }
      }
      return applied;
    });
  }

  /** Enables every proxy and removes every toxic, as Toxiproxy's /reset. */
  reset(): Promise<void> {
    return this.exclusive(async () => {
      for (const proxy of this.proxies.values()) {
        await proxy.start();
        proxy.removeAllToxics();
      }
    });
  }

  /** Stops every listener and connection (server shutdown). */
  closeAll(): Promise<void> {
    return this.exclusive(async () => {
      await Promise.all(this.list().map((proxy) => proxy.stop()));
      this.proxies.clear();
    });
  }
}

/** A /populate failure part-way: the API answers with the error and the proxies already applied. */
export class PopulateError extends ApiError {
  constructor(
    cause: ApiError,
    readonly applied: FaultProxy[],
  ) {
    super(cause.message, cause.status);
  }
}

function create(settings: ProxySettings): FaultProxy {
  requireHostPort('upstream', settings.upstream);
  requireHostPort('listen', settings.listen);
  return new FaultProxy(settings);
}
