import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryPagingError, readAllPages } from '../history-pages.ts';

/** A channel's history as a server pages it (HIST-1): the newest `limit` before `beforeSeq`, ascending. */
function serverOf(count: number, ignoreBeforeSeq = false) {
  const all = Array.from({ length: count }, (_, i) => ({ seq: i + 1 }));
  const asked: Array<number | undefined> = [];
  const fetchPage = async ({ limit, beforeSeq }: { limit: number; beforeSeq?: number }) => {
    asked.push(beforeSeq);
    const upTo = beforeSeq === undefined || ignoreBeforeSeq ? all.length : beforeSeq - 1;
    return all.slice(Math.max(0, upTo - limit), upTo);
  };
  return { all, asked, fetchPage };
}

describe('history paging (one rule for every reader)', () => {
  it('reads the whole history in ascending seq order, whatever its length and the page size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 1, max: 100 }), async (count, pageSize) => {
        const server = serverOf(count);
        expect(await readAllPages(server.fetchPage, 10_000, pageSize)).toEqual(server.all);
      }),
    );
  });

  it('stops after maxMessages, keeping the newest pages', async () => {
    const server = serverOf(1_000);
    const read = await readAllPages(server.fetchPage, 250, 100);
    expect(read.map((m) => m.seq)).toEqual(server.all.slice(700).map((m) => m.seq));
  });

  it('refuses a server that ignores beforeSeq instead of looping', async () => {
    const server = serverOf(300, true);
    await expect(readAllPages(server.fetchPage, 10_000, 100)).rejects.toBeInstanceOf(HistoryPagingError);
    expect(server.asked.length).toBeLessThanOrEqual(2);
  });
});
