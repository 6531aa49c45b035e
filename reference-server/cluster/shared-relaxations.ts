import type { Redis } from 'ioredis';
import { RelaxationRecord } from '../resilience/relaxation-table.ts';
import type { RelaxationShare } from '../resilience/relaxations.ts';

/**
 * FIX-4's relaxations shared by every node through one Redis hash (id -> JSON record): a node reads the
 * whole set in one HGETALL, a few times a second, never per event. The client fails fast (no offline
 * queue), so a PUT while Redis is down is refused rather than kept on one node.
 */
/** HDEL only when the field still holds the value read: an expired record renewed meanwhile stays. */
const DELETE_IF_UNCHANGED = "if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0";

export function redisRelaxationShare(client: Redis, keyPrefix: string): RelaxationShare {
  const key = `${keyPrefix}relaxations`;
  /** The raw values of the last read: pruning deletes a field only if nobody renewed it since. */
  let lastRead: Record<string, string> = {};
  return {
    async save(record) {
      await client.hset(key, record.id, JSON.stringify(record));
    },
    async remove(id) {
      return (await client.hdel(key, id)) > 0;
    },
    async loadAll() {
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
      return out;
    },
    async prune(ids) {
      for (const id of ids) {
        const seen = lastRead[id];
        if (seen !== undefined) await client.eval(DELETE_IF_UNCHANGED, 1, key, id, seen);
      }
    },
  };
}
