import type { DependencyName, ToxicRequest } from '../../testbed/services/proxied-dependencies.ts';

// The services behind the fault proxy are shared with chaos (testbed/services/proxied-dependencies.ts);
// this file keeps what a conformance check sees of them.
export {
  DEPENDENCY_NAMES,
  DEPENDENCY_TIMINGS,
  DependencyStartError,
  ProxiedDependencies as HarnessDependencies,
  parseDependencyNames,
  type DependencyName,
} from '../../testbed/services/proxied-dependencies.ts';

/** What a check may do to the target's dependencies. */
export interface DependencyControl {
  readonly names: readonly DependencyName[];
  /** Disables the dependency's proxy: its listener closes and every live connection is cut. */
  cut(name: DependencyName): Promise<void>;
  /** Enables it again on the same address, and ends a stall. */
  heal(name: DependencyName): Promise<void>;
  /** Adds a toxic (latency, timeout…) to the dependency's proxy until the returned remover or healAll(). */
  addToxic(name: DependencyName, toxic: ToxicRequest): Promise<() => Promise<void>>;
  /** Makes it hang instead of refusing (Toxiproxy `timeout` toxics, timeout 0): connections open, nothing answered, until heal. */
  stall(name: DependencyName): Promise<void>;
  /**
   * Keeps the listener open but turns every connection away (live ones cut, new ones closed at once: the
   * proxy's upstream refuses), so reconnect attempts can be counted; heal() ends it.
   */
  turnAway(name: DependencyName): Promise<void>;
  /** Accept times (ms since the epoch) of the dependency's connections from `sinceMs` on; undefined where the proxy cannot tell (a real Toxiproxy). */
  acceptedSince(name: DependencyName, sinceMs: number): Promise<number[] | undefined>;
  /** Heals every cut dependency (a check's clean-up). */
  healAll(): Promise<void>;
  /** The environment given to the target (URLs through the proxies and DEPENDENCY_TIMINGS). */
  readonly targetEnv: Record<string, string>;
}
