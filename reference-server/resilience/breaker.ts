import CircuitBreaker from 'opossum';
import type { BreakerPolicy, BreakerState, BreakerStatus } from '../../spec/index.ts';
import { errors } from '../errors.ts';
import { FailureWindow } from './failure-window.ts';

/** How long a caller is told to wait after a single failed dependency call. */
const RETRY_AFTER_FAILURE_MS = 1_000;

/** What a breaker knows when it refuses a call: whether its trial is in flight, and when it half-opens. */
export interface OpenBreakerView {
  halfOpen: boolean;
  /** Time until half-open; 0 or less once it has passed. */
  msUntilHalfOpen: number;
  /** The dependency's call timeout (DEPENDENCY_TIMEOUT_MS). */
  callTimeoutMs: number;
}

/** How long a call refused by an open or half-open breaker is told to wait (retryAfterMs). */
export type RetryAfterOpen = (view: OpenBreakerView) => number;

/**
 * BRK-4: how long a call refused by the open breaker should wait. Open: the time until half-open.
 * Half-open with its one trial call in flight: the trial ends within the call timeout. Never 0, also
 * when the half-open timer is late: a client told "retry after 0" would retry at once, in a loop.
 */
export const retryAfterOpen: RetryAfterOpen = ({ halfOpen, msUntilHalfOpen, callTimeoutMs }) => (halfOpen ? callTimeoutMs : Math.max(1, msUntilHalfOpen));

/**
 * A circuit breaker around one dependency (BRK-1..4). opossum runs the state machine and the
 * call timeout; the spec's count-based trip rule ("N failures within a window") replaces
 * opossum's percentage rule, which it cannot express.
 */
export class DependencyBreaker {
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private readonly window: FailureWindow;
  private stateSince = new Date();
  private openedAt = 0;
  private tripCount = 0;

  constructor(
    readonly name: string,
    readonly policy: BreakerPolicy,
    private readonly timeoutMs: number,
    private readonly onTrip: (name: string) => void,
    /**
     * Says which failures are the caller's (invalid input): they are answered VALIDATION and never
     * count for the breaker (BRK-6). Without it every failure counts.
     */
    private readonly isInputError: (err: unknown) => boolean = () => false,
    /** BRK-4's rule for a refused call's retryAfterMs (a faulty build swaps it). */
    private readonly retryAfterRule: RetryAfterOpen = retryAfterOpen,
  ) {
    this.window = new FailureWindow(policy.windowMs);
    this.breaker = new CircuitBreaker((action: () => Promise<unknown>) => action(), {
      name,
      timeout: timeoutMs,
      resetTimeout: policy.resetTimeoutMs,
      errorThresholdPercentage: 100, // never trips by percentage: see failure handler
      rollingCountTimeout: policy.windowMs,
      allowWarmUp: false,
      // Not read here (FailureWindow counts, status() reports): opossum would otherwise keep every call's
      // latency for the whole window and, every tenth of it, copy and sort them all on the event loop.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      // opossum counts a filtered error as a success: the dependency answered, the input was wrong.
      errorFilter: (err: unknown) => this.isInputError(err),
    });
    this.breaker.on('failure', () => {
      const failures = this.window.record(Date.now());
      if (this.breaker.closed && failures >= policy.failureThreshold) this.breaker.open();
    });
    this.breaker.on('open', () => {
      this.openedAt = Date.now();
      this.tripCount++;
      this.stateSince = new Date();
      this.onTrip(name);
    });
    this.breaker.on('halfOpen', () => {
      this.stateSince = new Date();
    });
    this.breaker.on('close', () => {
      this.window.clear();
      this.stateSince = new Date();
    });
  }

  /**
   * Runs a dependency call; a failure, a timeout or an open breaker becomes UNAVAILABLE, a failure
   * caused by the input VALIDATION. The dependency's error rides along as `cause` for the log.
   */
  async run<T>(action: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(action)) as T;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'EOPENBREAKER') {
        throw errors.unavailable(`${this.name} unavailable (circuit open)`, this.retryAfterOpenMs());
      }
      if (this.isInputError(err)) throw errors.validation(`${this.name} refused the input as invalid`, err);
      throw errors.unavailable(`${this.name} unavailable`, RETRY_AFTER_FAILURE_MS, err);
    }
  }

  get state(): BreakerState {
    if (this.breaker.halfOpen) return 'halfOpen';
    return this.breaker.opened ? 'open' : 'closed';
  }

  /** BRK-4: how long a call refused by the open breaker should wait (retryAfterOpen). */
  private retryAfterOpenMs(): number {
    return this.retryAfterRule({ halfOpen: this.breaker.halfOpen, msUntilHalfOpen: this.openedAt + this.policy.resetTimeoutMs - Date.now(), callTimeoutMs: this.timeoutMs });
  }

  status(): BreakerStatus {
    return {
      state: this.state,
      failures: this.window.count(Date.now()),
      trips: this.tripCount,
      since: this.stateSince.toISOString(),
      policy: this.policy,
    };
  }

  /** Closes the breaker and forgets its failures (BRK-5). */
  reset(): void {
    this.breaker.close();
    this.window.clear();
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}
