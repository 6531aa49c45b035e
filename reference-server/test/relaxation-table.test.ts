import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, type RateLimitName } from '../../spec/index.ts';
import { RateLimits, memoryLimiter } from '../resilience/rate-limits.ts';
import { RelaxationTable, type RelaxationRecord } from '../resilience/relaxation-table.ts';
import { Relaxations, type RelaxationShare } from '../resilience/relaxations.ts';

const USERS = ['u0', 'u1', 'u2', 'u3'];
const NAMES: RateLimitName[] = ['message:send', 'presence:update', 'typing:stop'];

const record = fc.record({
  id: fc.constantFrom('r0', 'r1', 'r2', 'r3'),
  users: fc.subarray(USERS),
  names: fc.subarray(NAMES, { minLength: 1 }),
  points: fc.integer({ min: 1, max: 100 }),
  expiresAt: fc.integer({ min: 1, max: 100 }),
});

function toRecord(r: { id: string; users: string[]; names: RateLimitName[]; points: number; expiresAt: number }): RelaxationRecord {
  return { id: r.id, users: r.users, limits: Object.fromEntries(r.names.map((n) => [n, { points: r.points, durationMs: 60_000 }])), ttlMs: 1_000, expiresAt: r.expiresAt };
}

describe('RelaxationTable (FIX-4)', () => {
  it('covers exactly the listed users of live relaxations with the limit, the smallest id winning', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 8 }), fc.integer({ min: 0, max: 120 }), (records, now) => {
        const table = new RelaxationTable(() => now);
        const last = new Map<string, RelaxationRecord>();
        for (const r of records.map(toRecord)) {
          table.put(r);
          last.set(r.id, r);
        }
        for (const user of [...USERS, 'stranger']) {
          for (const name of NAMES) {
            const covering = [...last.values()].filter((r) => r.expiresAt > now && r.users.includes(user) && r.limits[name]).map((r) => r.id).sort();
            const got = table.ruleFor(name, user);
            if ((got?.id ?? null) !== (covering[0] ?? null)) return false;
            if (got && got.rule.points !== last.get(got.id)!.limits[name]!.points) return false;
          }
        }
        return true;
      }),
    );
  });

  it('ends a relaxation at its expiry, with no message: the clock is enough', () => {
    let now = 0;
    const table = new RelaxationTable(() => now);
    table.put({ id: 'r', users: ['a'], limits: { 'message:send': { points: 5, durationMs: 1_000 } }, ttlMs: 10, expiresAt: 10 });
    expect(table.ruleFor('message:send', 'a')?.id).toBe('r');
    now = 10;
    expect(table.ruleFor('message:send', 'a')).toBeUndefined();
    expect(table.live()).toEqual([]);
  });

  it('applies connection to the address it names, never to a user id', () => {
    const table = new RelaxationTable(() => 0);
    table.put({ id: 'r', users: ['10.0.0.9'], address: '10.0.0.1', limits: { connection: { points: 5, durationMs: 1_000 } }, ttlMs: 10, expiresAt: 10 });
    expect(table.ruleFor('connection', '10.0.0.1')?.id).toBe('r');
    expect(table.ruleFor('connection', '10.0.0.9')).toBeUndefined();
  });

  it('keeps the counts of a rule across a renewal, and starts afresh when the rule changes', async () => {
    let now = 0;
    const table = new RelaxationTable(() => now);
    const limits = new RateLimits(DEFAULT_RATE_LIMITS, memoryLimiter, undefined, (n, k) => table.ruleFor(n, k));
    const put = (points: number, expiresAt: number) => table.put({ id: 'r', users: ['a'], limits: { 'message:send': { points, durationMs: 60_000 } }, ttlMs: 10, expiresAt });
    put(2, 10);
    await limits.consume('message:send', 'a');
    await limits.consume('message:send', 'a');
    now = 5;
    put(2, 15); // a renewal
    await expect(limits.consume('message:send', 'a')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    put(3, 15); // another rule: its own window
    await limits.consume('message:send', 'a');
    // Someone else is held to the table (30 a minute), not to the relaxation.
    for (let i = 0; i < 30; i++) await limits.consume('message:send', 'b');
    await expect(limits.consume('message:send', 'b')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('equals the shared set after replaceAll', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 6 }), fc.array(record, { maxLength: 6 }), (before, after) => {
        const table = new RelaxationTable(() => 0);
        for (const r of before) table.put(toRecord(r));
        const shared = new Map(after.map((r) => [r.id, toRecord(r)]));
        table.replaceAll([...shared.values()]);
        const ids = (rs: RelaxationRecord[]) => rs.map((r) => `${r.id}:${r.expiresAt}:${r.users.join('+')}`).sort();
        return JSON.stringify(ids(table.live())) === JSON.stringify(ids([...shared.values()]));
      }),
    );
  });
});

describe('Relaxations (FIX-4 sharing)', () => {
  /** The Redis share's contract in memory: a version moved by every write, read before the set. */
  function memoryShare(): RelaxationShare & { stored: Map<string, RelaxationRecord>; down: boolean; duringNextRead?: () => Promise<unknown> } {
    const stored = new Map<string, RelaxationRecord>();
    let version = 0;
    const share: RelaxationShare & { stored: Map<string, RelaxationRecord>; down: boolean; duringNextRead?: () => Promise<unknown> } = {
      stored,
      down: false,
      async save(r: RelaxationRecord) {
        if (share.down) throw new Error('down');
        stored.set(r.id, r);
        version++;
      },
      async remove(id: string) {
        if (share.down) throw new Error('down');
        version++;
        return stored.delete(id);
      },
      async loadAll(known) {
        if (share.down) throw new Error('down');
        // A write that lands while this node reads (here: before the version is read, the worst case).
        const meanwhile = share.duringNextRead;
        share.duringNextRead = undefined;
        await meanwhile?.();
        const read = String(version);
        if (read === known) return undefined;
        return { version: read, records: [...stored.values()] };
      },
      async prune(ids: readonly string[]) {
        for (const id of ids) stored.delete(id);
      },
    };
    return share;
  }
  const rec = (id: string, expiresAt = 100): RelaxationRecord => ({ id, users: ['a'], limits: { 'message:send': { points: 9, durationMs: 1_000 } }, ttlMs: 100, expiresAt });

  it('a relaxation put on one node reaches another at its next read; a DELETE ends it there too', async () => {
    const share = memoryShare();
    const one = new Relaxations(new RelaxationTable(() => 0), share);
    const two = new Relaxations(new RelaxationTable(() => 0), share);
    expect(await one.put(rec('r'))).toBe(true);
    expect(two.table.ruleFor('message:send', 'a')).toBeUndefined();
    await two.sync();
    expect(two.table.ruleFor('message:send', 'a')?.id).toBe('r');
    expect(await two.remove('r')).toBe(true);
    await one.sync();
    expect(one.table.ruleFor('message:send', 'a')).toBeUndefined();
    expect(await one.remove('r')).toBe(false);
  });

  it('reads the set again after a read that overlapped a local write, so a change made elsewhere is not missed', async () => {
    const share = memoryShare();
    const node = new Relaxations(new RelaxationTable(() => 0), share);
    const other = new Relaxations(new RelaxationTable(() => 0), share);
    await node.sync();
    await other.put(rec('elsewhere'));
    share.duringNextRead = () => node.put(rec('local'));
    await node.sync(); // overlapped the local write: dropped
    await node.sync();
    expect(node.table.live().map((r) => r.id).sort()).toEqual(['elsewhere', 'local']);
    expect(await node.sync()).toBe(true); // unchanged now: nothing read
  });

  it('refuses UNAVAILABLE, changing nothing, when the relaxation cannot be shared', async () => {
    const share = memoryShare();
    const node = new Relaxations(new RelaxationTable(() => 0), share);
    share.down = true;
    await expect(node.put(rec('r'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(node.table.live()).toEqual([]);
    // A node that cannot read the shared set keeps what it has.
    share.down = false;
    await node.put(rec('s'));
    share.down = true;
    expect(await node.sync()).toBe(false);
    expect(node.table.get('s')).toBeDefined();
  });

  it('prunes expired relaxations from the shared set, and a read never resurrects them', async () => {
    let now = 0;
    const share = memoryShare();
    const node = new Relaxations(new RelaxationTable(() => now), share);
    await node.put(rec('r', 10));
    now = 10;
    await node.sync();
    expect(share.stored.size).toBe(0);
    expect(node.table.ruleFor('message:send', 'a')).toBeUndefined();
  });
});
