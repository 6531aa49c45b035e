import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideFlush, GroupCommit, type BatchPolicy, type Settled } from '../store/group-commit.ts';

const policies = fc.record({ maxBatch: fc.integer({ min: 1, max: 20 }), maxWaitMs: fc.integer({ min: 0, max: 50 }), maxInFlight: fc.integer({ min: 1, max: 4 }) });

describe('decideFlush: when a batch is committed', () => {
  it('flushes at once when nothing is in flight, never more than maxBatch, and never beyond maxInFlight', () => {
    fc.assert(
      fc.property(policies, fc.nat(100), fc.nat(5), fc.nat(100), (policy, queued, inFlight, waited) => {
        const d = decideFlush(queued, inFlight, waited, policy);
        if (queued === 0 || inFlight >= policy.maxInFlight) return d.kind === 'idle';
        if (inFlight === 0) return d.kind === 'flush' && d.count === Math.min(queued, policy.maxBatch);
        if (d.kind === 'flush') return d.count >= 1 && d.count <= policy.maxBatch && (queued >= policy.maxBatch || waited >= policy.maxWaitMs);
        // Waiting only while a commit runs, and never past maxWaitMs for the oldest write.
        return d.kind === 'wait' && d.ms > 0 && waited + d.ms === policy.maxWaitMs && queued < policy.maxBatch;
      }),
    );
  });
});

/** A commit the test finishes by hand, in any order; it records each batch it was given. */
function controlledCommits() {
  const batches: number[][] = [];
  const open: { batch: number[]; finish: (fail: boolean) => void }[] = [];
  let maxConcurrent = 0;
  const commit = (items: number[]) =>
    new Promise<Settled<string>[]>((resolve, reject) => {
      batches.push(items);
      const entry = {
        batch: items,
        finish: (fail: boolean) => (fail ? reject(new Error('commit failed')) : resolve(items.map((i) => (i % 7 === 3 ? { ok: false, error: new Error(`refused ${i}`) } : { ok: true, value: `stored ${i}` })))),
      };
      open.push(entry);
      maxConcurrent = Math.max(maxConcurrent, open.length);
    });
  return { batches, open, commit, maxConcurrent: () => maxConcurrent };
}

const flushMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('GroupCommit against a commit that finishes when the test says', () => {
  it('commits every write exactly once, in arrival order, within the policy, and answers each with its own outcome', async () => {
    await fc.assert(
      fc.asyncProperty(
        policies.map((p): BatchPolicy => ({ ...p, maxWaitMs: 1 })),
        // A script: submit a write, or finish one running commit (by index), succeeding or failing.
        fc.array(fc.oneof(fc.constant({ kind: 'submit' as const }), fc.record({ kind: fc.constant('finish' as const), pick: fc.nat(10), fail: fc.boolean() })), { maxLength: 60 }),
        async (policy, script) => {
          const commits = controlledCommits();
          const batcher = new GroupCommit(policy, commits.commit);
          const answers = new Map<number, string>();
          let submitted = 0;
          for (const step of script) {
            if (step.kind === 'submit') {
              const i = submitted++;
              const nothingCommitting = commits.open.length === 0;
              batcher.submit(i).then((v) => answers.set(i, v), (e: Error) => answers.set(i, e.message));
              // A lone write at low load is not delayed: with nothing committing, it is committing now, alone.
              if (nothingCommitting) expect(commits.batches.at(-1)).toEqual([i]);
            } else if (commits.open.length > 0) {
              const [entry] = commits.open.splice(step.pick % commits.open.length, 1);
              entry!.finish(step.fail);
            }
            await flushMicrotasks();
          }
          // Drain: finish whatever runs until the queue is empty (timers of maxWaitMs fire meanwhile).
          while (commits.open.length > 0 || answers.size < submitted) {
            commits.open.shift()?.finish(false);
            await new Promise((r) => setTimeout(r, 2));
          }
          await batcher.idle();

          expect(commits.batches.flat()).toEqual(Array.from({ length: submitted }, (_, i) => i));
          for (const b of commits.batches) expect(b.length).toBeGreaterThanOrEqual(1), expect(b.length).toBeLessThanOrEqual(policy.maxBatch);
          expect(commits.maxConcurrent()).toBeLessThanOrEqual(policy.maxInFlight);
          for (let i = 0; i < submitted; i++) {
            const answer = answers.get(i);
            expect(answer === `stored ${i}` || answer === `refused ${i}` || answer === 'commit failed', `write ${i}: ${answer}`).toBe(true);
            if (answer === `stored ${i}`) expect(i % 7).not.toBe(3);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('with one commit slot, writes that arrive during a commit go together in the next one', async () => {
    const commits = controlledCommits();
    const batcher = new GroupCommit({ maxBatch: 10, maxWaitMs: 1_000, maxInFlight: 1 }, commits.commit);
    const done = [0, 1, 2, 3, 4, 5].map((i) => batcher.submit(i));
    expect(commits.batches).toEqual([[0]]); // the first at once, alone
    commits.open.shift()!.finish(false);
    await flushMicrotasks();
    expect(commits.batches).toEqual([[0], [1, 2, 3, 4, 5]]);
    commits.open.shift()!.finish(true);
    const outcomes = await Promise.allSettled(done);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
  });

  it('with gatherTurn, a batch is taken when the turn ends: what arrives in that turn joins it, a lone write waits for that turn only', async () => {
    const commits = controlledCommits();
    const batcher = new GroupCommit({ maxBatch: 4, maxWaitMs: 1_000, maxInFlight: 1, gatherTurn: true }, commits.commit);
    const lone = batcher.submit(0);
    expect(commits.batches).toEqual([]); // not yet: the turn has not ended
    await flushMicrotasks();
    expect(commits.batches).toEqual([[0]]);
    commits.open.shift()!.finish(false);
    expect(await lone).toBe('stored 0');
    // Six writes in one turn: the first batch takes all it may (maxBatch), the rest go in the next.
    const burst = Promise.allSettled([1, 2, 3, 4, 5, 6].map((i) => batcher.submit(i)));
    await flushMicrotasks();
    expect(commits.batches).toEqual([[0], [1, 2, 3, 4]]);
    commits.open.shift()!.finish(false);
    await flushMicrotasks();
    await flushMicrotasks();
    expect(commits.batches).toEqual([[0], [1, 2, 3, 4], [5, 6]]);
    commits.open.shift()!.finish(false);
    expect((await burst).map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']); // 3 refused by the commit
    await batcher.idle();
  });

  it('a batch answered with the wrong number of outcomes fails every write of it instead of acking a wrong one', async () => {
    const batcher = new GroupCommit<number, number>({ maxBatch: 10, maxWaitMs: 0, maxInFlight: 1 }, async (items) => items.slice(1).map((v) => ({ ok: true, value: v })));
    await expect(batcher.submit(1)).rejects.toThrow(/answered with 0 outcomes/);
  });
});
