import type { Redis } from 'ioredis';
import { RelaxationRecord } from '../resilience/relaxation-table.ts';
import type { RelaxationShare } from '../resilience/relaxations.ts';

/**
 * FIX-4's relaxations shared by every node through one Redis hash (id -> JSON record) and a version counter
 * bumped by every write: a node reads the counter a few times a second, never per event, and the whole set
 * (one HGETALL) only when the counter moved. The client fails fast (no offline queue), so a PUT while Redis
 * is down is refused rather than kept on one node.
 */
/** HDEL only when the field still holds the value read: an expired record renewed meanwhile stays. */
const DELETE_IF_UNCHANGED = "if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0";

/** A transaction's replies; throws its first error (or when it was discarded). */
async function results(exec: Promise<Array<[Error | null, unknown]> | null>): Promise<unknown[]> {
  const replies = await exec;
  if (!replies) throw new Error('redis transaction discarded');
  for (const [err] of replies) if (err) throw err;
  return replies.map(([, reply]) => reply);
}

export function redisRelaxationShare(client: Redis, keyPrefix: string): RelaxationShare {
  const key = `${keyPrefix}relaxations`;
  const versionKey = `${keyPrefix}relaxations:version`;
  /** The raw values of the last read: pruning deletes a field only if nobody renewed it since. */
  let lastRead: Record<string, string> = {};
  return {
    async save(record) {
      await results(client.multi().hset(key, record.id, JSON.stringify(record)).incr(versionKey).exec());
    },
    async remove(id) {
      const [deleted] = await results(client.multi().hdel(key, id).incr(versionKey).exec());
      return Number(deleted) > 0;
    },
    async loadAll(known) {
      // The counter first: a write between the two reads is then seen again at the next read, never lost.
      const version = await client.get(versionKey);
      if (known !== undefined && version === known) return undefined;
      const raw = await client.hgetall(key);
      lastRead = raw;
      const out: RelaxationRecord[] = [];
      for (const value of Object.values(raw)) {
        // What another node wrote is input all the same: a record that does not parse is skipped.
        let json: unknown;
        try {
          json = JSON.parse(value);
        } catch {
          continue;
        }
        const parsed = RelaxationRecord.safeParse(json);
        if (parsed.success) out.push(parsed.data);
      }
      return { version, records: out };
    },
    async prune(ids) {
      for (const id of ids) {
        const seen = lastRead[id];
        if (seen !== undefined) await client.eval(DELETE_IF_UNCHANGED, 1, key, id, seen);
      }
    },
  };
}
