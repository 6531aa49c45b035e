import type { BreakerPolicy, BreakerStatus } from '../../spec/index.ts';
import { DependencyBreaker, retryAfterOpen, type RetryAfterOpen } from './breaker.ts';

/** Every breaker of the node, by dependency name, for /status/circuit-breakers (BRK-3). */
export class Breakers {
  private readonly byName = new Map<string, DependencyBreaker>();

  constructor(
    private readonly policy: BreakerPolicy,
    private readonly timeoutMs: number,
    private readonly onTrip: (name: string) => void,
    /** BRK-4's retryAfterMs for refused calls (a faulty build swaps it). */
    private readonly retryAfterRule: RetryAfterOpen = retryAfterOpen,
  ) {}

  /** `isInputError` tells the caller's mistakes from the dependency's failures (BRK-6). */
  create(name: string, isInputError?: (err: unknown) => boolean): DependencyBreaker {
    const breaker = new DependencyBreaker(name, this.policy, this.timeoutMs, this.onTrip, isInputError, this.retryAfterRule);
    this.byName.set(name, breaker);
    return breaker;
  }

  statuses(): Record<string, BreakerStatus> {
    return Object.fromEntries([...this.byName].map(([name, b]) => [name, b.status()]));
  }

  resetAll(): void {
    for (const b of this.byName.values()) b.reset();
  }

  shutdown(): void {
    for (const b of this.byName.values()) b.shutdown();
  }
}
