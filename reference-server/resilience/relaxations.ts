import { RELAXATIONS_MAX } from '../../spec/index.ts';
import { errors } from '../errors.ts';
import type { RelaxationRecord, RelaxationTable } from './relaxation-table.ts';

/** Where the deployment's relaxations are kept for every node (Redis); absent on a single node. */
export interface RelaxationShare {
  /** Stores or replaces one; throws when the store cannot be reached. */
  save(record: RelaxationRecord): Promise<void>;
  /** Removes one; true when it was stored; throws when the store cannot be reached. */
  remove(id: string): Promise<boolean>;
  /**
   * Every relaxation stored (expired ones included) with the version of the set, or undefined when the
   * version is still `known` (the set is then not read again); throws when the store cannot be reached.
   */
  loadAll(known?: SetVersion): Promise<{ version: SetVersion; records: RelaxationRecord[] } | undefined>;
  /** Removes stored relaxations that have expired (housekeeping; best effort). */
  prune(ids: readonly string[]): Promise<void>;
}

/** A version of the shared set (null: none written yet); any write moves it. */
export type SetVersion = string | null;

/** How often a node reads the shared set: well inside RELAXATION_PROPAGATION_MS. */
const RELAXATION_SYNC_MS = 500;

/**
 * FIX-4 on one node: the table the rate limits look up, kept equal to the deployment's set. A PUT or DELETE
 * is written to the shared store first (refused UNAVAILABLE when it cannot be: a relaxation on some nodes
 * only is not offered), then to this node's table; the other nodes read the shared set every
 * RELAXATION_SYNC_MS. A node that cannot read it keeps what it has, and every relaxation still ends at its
 * expiry.
 */
export class Relaxations {
  /** Local writes so far: a read of the shared set that overlapped one is stale and dropped. */
  private writes = 0;
  /** The version of the shared set last applied; undefined before the first read. */
  private applied: SetVersion | undefined;

  constructor(
    readonly table: RelaxationTable,
    private readonly share?: RelaxationShare,
  ) {}

  /** Creates or renews; true when it is new. */
  async put(record: RelaxationRecord): Promise<boolean> {
    const created = this.table.get(record.id) === undefined;
    if (created && this.table.live().length >= RELAXATIONS_MAX) throw errors.validation(`at most ${RELAXATIONS_MAX} relaxations at once`);
    await this.shareOr503(() => this.share?.save(record));
    this.writes++;
    this.table.put(record);
    return created;
  }

  /** Ends it at once on this node (and on the others at their next read); false when none was live. */
  async remove(id: string): Promise<boolean> {
    let stored = false;
    await this.shareOr503(async () => {
      stored = (await this.share?.remove(id)) ?? false;
    });
    this.writes++;
    // Made on another node and not read here yet, it was live all the same.
    return this.table.remove(id) || stored;
  }

  /** One read of the shared set into the table; false when it could not be read. */
  async sync(): Promise<boolean> {
    if (!this.share) return true;
    const before = this.writes;
    let read: Awaited<ReturnType<RelaxationShare['loadAll']>>;
    try {
      read = await this.share.loadAll(this.applied);
    } catch {
      return false;
    }
    if (read === undefined) return true; // unchanged since the last read applied
    // A local write came in meanwhile: this read is dropped, and the next one reads the set again.
    if (this.writes !== before) return true;
    this.applied = read.version;
    const { records } = read;
    const expired = records.filter((r) => this.table.expired(r));
    this.table.replaceAll(records.filter((r) => !this.table.expired(r)));
    if (expired.length > 0) await this.share.prune(expired.map((r) => r.id)).catch(() => {});
    return true;
  }

  /** Reads the shared set now and every RELAXATION_SYNC_MS; returns the stop function. */
  start(intervalMs = RELAXATION_SYNC_MS): () => void {
    if (!this.share) return () => {};
    let running = false;
    const tick = () => {
      if (running) return;
      running = true;
      void this.sync().finally(() => (running = false));
    };
    tick();
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async shareOr503(write: () => Promise<unknown> | undefined): Promise<void> {
    try {
      await write();
    } catch (err) {
      throw errors.unavailable('the relaxation cannot be shared with the other nodes (redis unreachable); limits unchanged', 1_000, err);
    }
  }
}
