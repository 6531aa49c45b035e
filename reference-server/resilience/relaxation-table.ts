import { z } from 'zod';
import { PartialRateLimitTable, RelaxationId, UserId, type RateLimitName, type RateLimitRule } from '../../spec/index.ts';
import type { Limiter } from './rate-limits.ts';

/**
 * One relaxation as every node holds it (FIX-4). `expiresAt` is epoch ms by the clock of the node that
 * accepted the PUT (nodes' clocks are assumed synchronised, as for token expiry). Shared through Redis as
 * JSON, so it is validated when read back.
 */
export const RelaxationRecord = z.object({
  id: RelaxationId,
  users: z.array(UserId),
  /** The caller's address when the relaxation has a `connection` limit (RATE-1 counts handshakes per address). */
  address: z.string().optional(),
  limits: PartialRateLimitTable,
  ttlMs: z.int().positive(),
  expiresAt: z.number(),
});
export type RelaxationRecord = z.infer<typeof RelaxationRecord>;

/** The relaxation that covers one call: its rule, and where its limiters for that rule are kept. */
export interface RelaxedRule {
  id: string;
  rule: RateLimitRule;
  /** Limiters of this relaxation by limit name; built on first use, dropped with the relaxation. */
  limiters: Map<RateLimitName, Limiter>;
}

interface Entry {
  record: RelaxationRecord;
  users: ReadonlySet<string>;
  limiters: Map<RateLimitName, Limiter>;
}

/**
 * The live relaxations of this node, looked up on every rate-limited call. The lookup is a map walk in
 * memory (never a Redis round trip, issue 9): with no relaxation it is one size check. Expiry is judged
 * at lookup time against `now`, so a relaxation ends on time on every node whatever the sharing does.
 */
export class RelaxationTable {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Live relaxations (expired ones are dropped on the way). */
  live(): RelaxationRecord[] {
    const out: RelaxationRecord[] = [];
    for (const [id, e] of this.entries) {
      if (this.expired(e.record)) this.entries.delete(id);
      else out.push(e.record);
    }
    return out;
  }

  get(id: string): RelaxationRecord | undefined {
    const e = this.entries.get(id);
    if (e && this.expired(e.record)) this.entries.delete(id);
    return this.entries.get(id)?.record;
  }

  expired(record: RelaxationRecord): boolean {
    return record.expiresAt <= this.now();
  }

  /** Creates or replaces; a replacement that keeps a rule keeps its limiter (a renewal does not reset counts). */
  put(record: RelaxationRecord): void {
    const before = this.entries.get(record.id);
    const limiters = new Map<RateLimitName, Limiter>();
    if (before) {
      for (const [name, limiter] of before.limiters) {
        const was = before.record.limits[name];
        const now = record.limits[name];
        if (was && now && was.points === now.points && was.durationMs === now.durationMs) limiters.set(name, limiter);
      }
    }
    this.entries.set(record.id, { record, users: sameUsers(before?.record, record) ? before!.users : new Set(record.users), limiters });
  }

  /** Ends it; true when it was live. */
  remove(id: string): boolean {
    const live = this.get(id) !== undefined;
    this.entries.delete(id);
    return live;
  }

  /** Takes the deployment's set as read from the shared store: missing ones end, changed ones are replaced. */
  replaceAll(records: readonly RelaxationRecord[]): void {
    const ids = new Set(records.map((r) => r.id));
    for (const id of [...this.entries.keys()]) if (!ids.has(id)) this.entries.delete(id);
    for (const r of records) {
      const e = this.entries.get(r.id);
      if (!e || !sameRecord(e.record, r)) this.put(r);
    }
  }

  /**
   * The relaxation covering a call of limit `name` keyed by `key` (the user id; for `connection`, the
   * client's address). When several cover it, the smallest id wins, so every node picks the same one.
   */
  ruleFor(name: RateLimitName, key: string): RelaxedRule | undefined {
    if (this.entries.size === 0) return undefined;
    return this.pick(name, (e) => (name === 'connection' ? e.record.address === key : e.users.has(key)));
  }

  /** Any live relaxation with a rule for `name`, whoever it names (only the `relaxation-for-everyone` defect asks this). */
  anyFor(name: RateLimitName): RelaxedRule | undefined {
    if (this.entries.size === 0) return undefined;
    return this.pick(name, () => true);
  }

  private pick(name: RateLimitName, covers: (e: Entry) => boolean): RelaxedRule | undefined {
    let best: Entry | undefined;
    for (const [id, e] of this.entries) {
      const rule = e.record.limits[name];
      if (!rule || !covers(e)) continue;
      if (this.expired(e.record)) {
        this.entries.delete(id);
        continue;
      }
      if (!best || id < best.record.id) best = e;
    }
    return best && { id: best.record.id, rule: best.record.limits[name]!, limiters: best.limiters };
  }
}

function sameUsers(a: RelaxationRecord | undefined, b: RelaxationRecord): boolean {
  return a !== undefined && a.users.length === b.users.length && a.users.every((u, i) => u === b.users[i]);
}

function sameRecord(a: RelaxationRecord, b: RelaxationRecord): boolean {
  return a.expiresAt === b.expiresAt && a.address === b.address && sameUsers(a, b) && JSON.stringify(a.limits) === JSON.stringify(b.limits);
}
