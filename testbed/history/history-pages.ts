import { HISTORY_MAX_LIMIT } from '../../spec/index.ts';

/** What a reader needs of one history message to page backwards. */
interface Sequenced {
  seq: number;
}

/** One `channel:history` page request: newest first, before `beforeSeq` when given (HIST-1). */
export type FetchHistoryPage<M extends Sequenced> = (page: { limit: number; beforeSeq?: number }) => Promise<readonly M[]>;

export class HistoryPagingError extends Error {
  override name = 'HistoryPagingError';
}

/**
 * Reads a channel's whole history backwards, page by page, and returns it in ascending seq order. The one
 * paging rule of every reader (conformance, chaos, load): stop at an empty or short page or at seq 1, stop
 * after `maxMessages`, and refuse a server whose pages do not move back (beforeSeq ignored).
 */
export async function readAllPages<M extends Sequenced>(fetchPage: FetchHistoryPage<M>, maxMessages: number, pageSize = HISTORY_MAX_LIMIT): Promise<M[]> {
  const pages: (readonly M[])[] = [];
  let total = 0;
  let beforeSeq: number | undefined;
  while (total < maxMessages) {
    const page = await fetchPage({ limit: pageSize, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
    if (page.length === 0) break;
    pages.unshift(page);
    total += page.length;
    const first = page[0]!.seq;
    if (page.length < pageSize || first <= 1) break;
    if (beforeSeq !== undefined && first >= beforeSeq) throw new HistoryPagingError(`channel:history paging does not move back (asked before seq ${beforeSeq}, got ${first}: beforeSeq ignored?)`);
    beforeSeq = first;
  }
  return pages.flat();
}
