import type { Settled } from './group-commit.ts';
import { classifyStoreError } from './store-errors.ts';

/** A promise's outcome as a value: what a batch answers for each of its writes. */
export function settle<R>(work: Promise<R>): Promise<Settled<R>> {
  return work.then((value) => ({ ok: true, value }), (error: unknown) => ({ ok: false, error }));
}

/**
 * Commits a batch of sends as the group-commit core asks, in either store: several through `all`
 * (one transaction), a lone send through `one` unless `loneThroughAll` (where `all` is one round
 * trip and `one` several, as on PostgreSQL). When the database refused the batch's input
 * (class 22/23, a SQLite constraint: a bad value, or two nodes racing on one idempotency key), the
 * sends are retried one by one, in order, each in its own transaction, so only the send at fault is
 * refused and a race finds its winner (BRK-6, MSG-4). Any other failure fails the whole batch:
 * every send is answered UNAVAILABLE and none is acked.
 */
export async function commitBatchOrEach<T, R>(
  batch: T[],
  all: (batch: T[]) => Promise<Settled<R>[]>,
  one: (item: T) => Promise<R>,
  loneThroughAll = false,
): Promise<Settled<R>[]> {
  if (batch.length === 1 && !loneThroughAll) return [await settle(one(batch[0]!))];
  try {
    return await all(batch);
  } catch (err) {
    if (classifyStoreError(err) !== 'input') throw err;
    const outcomes: Settled<R>[] = [];
    for (const item of batch) outcomes.push(await settle(one(item)));
    return outcomes;
  }
}
