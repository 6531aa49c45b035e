import { randomFillSync } from 'node:crypto';

/**
 * Message ids as UUID version 7 (RFC 9562): 48 bits of Unix milliseconds first, then 74 random bits.
 * Both stores index messages by id; a random (v4) id lands on a random page of that index, so every
 * send of a batch dirtied a page of its own, written again to SQLite's WAL (and PostgreSQL's) at each
 * commit. Ids that grow with time are appended to the index's last page instead. Still unguessable
 * (74 random bits) and still a UUID, which PostgreSQL's `uuid` column requires.
 */

/** Random bytes drawn 256 ids at a time: one call into the CSPRNG per 256 ids, not one per id. */
const ID_BYTES = 16;
const pool = Buffer.alloc(ID_BYTES * 256);
let next = pool.length;

/** Pure but for the random bytes: the v7 UUID for `nowMs`, lower-case hex with hyphens. */
export function timeOrderedId(nowMs: number = Date.now()): string {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const bytes = pool.subarray(next, next + ID_BYTES);
  next += ID_BYTES;
  bytes.writeUIntBE(nowMs, 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f); // version 7
  bytes[8] = 0x80 | (bytes[8]! & 0x3f); // variant 10
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
