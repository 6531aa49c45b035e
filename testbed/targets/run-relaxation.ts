import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RELAXATION_PROPAGATION_MS, RELAXATION_USERS_MAX, type PartialRateLimitTable } from '../../spec/index.ts';
import { deleteRelaxation, putRelaxation, readSpecDocument, type TargetAccess } from './target-http.ts';
import { RELAXED_RATE_LIMITS } from './target-process.ts';

/** The run's relaxation lasts this long after its last renewal: a runner that dies leaves it for at most this. */
export const RUN_RELAXATION_TTL_MS = 60_000;

/**
 * The limits relaxed for one run against a target it did not start (FIX-4): only for the run's own users
 * (and, for `connection`, for handshakes from the runner's own address), on every node of the deployment.
 * It is renewed every ttl/3 while the run lasts and deleted at the end; if the runner crashes or is killed,
 * it ends by itself within the ttl. Users are added as the run makes them, before they connect; the newest
 * RELAXATION_USERS_MAX are kept (a run's earlier scenarios are over by then).
 */
export class RunRelaxation {
  readonly id = `sockproof-run-${randomBytes(6).toString('hex')}`;
  private users: string[] = [];
  private writes: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private address: string | undefined;
  private renewFailures = 0;
  private ended = false;
  private ending: Promise<string> | undefined;

  private constructor(
    private readonly access: TargetAccess,
    private readonly limits: PartialRateLimitTable,
    private readonly ttlMs: number,
    private readonly warn: (line: string) => void,
    /** How long the other nodes may take to apply a change (FIX-4's bound on a multi-node target; 0 on one node). */
    private readonly settleMs: number,
  ) {}

  /** Creates the relaxation (no user yet: the connection limit for the runner's address) and starts renewing it. */
  static async open(access: TargetAccess, limits: PartialRateLimitTable, opts: { ttlMs?: number; warn?: (line: string) => void; settleMs?: number } = {}): Promise<RunRelaxation> {
    const relaxation = new RunRelaxation(access, limits, opts.ttlMs ?? RUN_RELAXATION_TTL_MS, opts.warn ?? (() => {}), opts.settleMs ?? 0);
    await relaxation.put();
    await sleep(relaxation.settleMs);
    relaxation.timer = setInterval(() => void relaxation.renew(), Math.max(1_000, Math.floor(relaxation.ttlMs / 3)));
    relaxation.timer.unref();
    return relaxation;
  }

  /** What the output says about it: which limits, for whom, for how long. No secret in it. */
  describe(): string {
    const forWhom = `the run's own users only${this.address ? ` (and handshakes from ${this.address}, this runner as the target sees it)` : ''}`;
    return `rate limits: relaxed for ${forWhom} with FIX-4 relaxation ${this.id} ${JSON.stringify(this.limits)}, on every node; it expires by itself ${this.ttlMs / 1000} s after its last renewal (renewed every ${this.ttlMs / 3000} s while the run lasts)`;
  }

  /** Adds the run's users to the relaxation before they connect (on every node: after the propagation bound). */
  async admit(userIds: readonly string[]): Promise<void> {
    const known = new Set(this.users);
    const fresh = userIds.filter((u) => !known.has(u));
    if (fresh.length === 0) return;
    this.users = [...this.users, ...fresh].slice(-RELAXATION_USERS_MAX);
    await this.put();
    await sleep(this.settleMs);
  }

  /**
   * PUTs it again now, without waiting for the other nodes: for a node that restarted and may have forgotten
   * it (a single node keeps relaxations in memory; nodes sharing them through Redis read them back).
   */
  async reapply(): Promise<void> {
    if (!this.ended) await this.put();
  }

  /** Deletes it (once, however often it is called); the note for the output (never throws). */
  end(): Promise<string> {
    this.ending ??= this.deleteOnce();
    return this.ending;
  }

  private async deleteOnce(): Promise<string> {
    this.ended = true;
    clearInterval(this.timer);
    await this.writes.catch(() => {});
    try {
      const wasLive = await deleteRelaxation(this.access, this.id);
      return `rate limits: relaxation ${this.id} ended with DELETE${wasLive ? '' : ' (it had already expired)'}; the other users never had theirs relaxed`;
    } catch (err) {
      return `rate limits: relaxation ${this.id} NOT deleted (${(err as Error).message}); it expires by itself within ${this.ttlMs / 1000} s`;
    }
  }

  private async renew(): Promise<void> {
    if (this.ended) return;
    try {
      await this.put();
      this.renewFailures = 0;
    } catch (err) {
      // The run goes on: at worst the relaxation expires and the run's users are held to the limits again.
      if (this.renewFailures++ === 0) this.warn(`warning: renewing relaxation ${this.id} failed (${(err as Error).message}); it expires ${this.ttlMs / 1000} s after the last renewal`);
    }
  }

  /** PUTs the current users; writes are queued so that an older list never lands after a newer one. */
  private put(): Promise<void> {
    const write = this.writes.then(async () => {
      const answer = await putRelaxation(this.access, this.id, { users: this.users, limits: this.limits, ttlMs: this.ttlMs });
      this.address = answer.relaxation.address;
    });
    this.writes = write.catch(() => {});
    return write;
  }
}

/** The run's relaxation on a target it did not start, or none, and the note that says which and why. */
export interface RunLimits {
  relaxation: RunRelaxation | undefined;
  note: string;
}

/**
 * FIX-4 for a target (or deployment) the runner did not start: the other users keep their limits. A target
 * without per-user relaxations, or without fixtures, keeps its limits for the run too, and the note says so;
 * the runner never lifts them for every user (FIX-2) of a deployment it did not start.
 */
export async function openRunRelaxation(access: TargetAccess, warn?: (line: string) => void): Promise<RunLimits> {
  const spec = await readSpecDocument(access.url);
  if (!spec.features.fixtures) {
    return { relaxation: undefined, note: "rate limits: not relaxed: the target serves no fixtures (features.fixtures false, FIX-3); the run's users are held to its limits" };
  }
  if (spec.features.limitRelaxations !== true) {
    return {
      relaxation: undefined,
      note: "rate limits: not relaxed: the target offers no per-user relaxation (FIX-4, features.limitRelaxations in GET /spec), and the runner does not lift them for every user (FIX-2) of a target it did not start; the run's users are held to its limits",
    };
  }
  // Behind a load balancer the run's clients may reach another node than the PUT did: they wait for FIX-4's bound.
  const settleMs = spec.features.multiNode ? RELAXATION_PROPAGATION_MS : 0;
  const relaxation = await RunRelaxation.open(access, RELAXED_RATE_LIMITS, { settleMs, ...(warn ? { warn } : {}) });
  return { relaxation, note: relaxation.describe() };
}
