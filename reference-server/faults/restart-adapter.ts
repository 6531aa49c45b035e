import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Left in DATA_DIR by a node's first start (only with `restart-skips-adapter`). */
const STARTED_MARK = '.sockproof-started-once';

/**
 * `restart-skips-adapter`: a node joins the cross-node adapter only on the first start in its data
 * directory. One that finds the mark of an earlier start (its supervisor restarted it after a fatal
 * exit) serves with Socket.IO's in-memory adapter, its own sockets only, while its store and limits
 * still share PostgreSQL and Redis: health is fine, history and seq are right, and nothing crosses
 * between it and the other nodes any more (NODE-1). C21 on a multi-node run catches it.
 */
export function adapterOnFirstStartOnly<A>(adapter: A | undefined, dataDir: string): A | undefined {
  const mark = join(dataDir, STARTED_MARK);
  if (existsSync(mark)) return undefined;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(mark, `first started by pid ${process.pid}\n`);
  return adapter;
}
