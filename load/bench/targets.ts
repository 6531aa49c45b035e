import { randomBytes } from 'node:crypto';
import { REPO_ROOT } from '../../testbed/repo-root.ts';
import { postgresAvailability, redisAvailability, type ServiceLease } from '../../testbed/services/index.ts';
import { referenceServerCommand, TargetProcess, type TargetCommand } from '../../testbed/targets/target-process.ts';
import { placeService, type CoreSplit } from './isolation.ts';
import { TARGET_LABELS, type TargetId } from './target-ids.ts';

/**
 * The servers one bench run compares, each started by the bench with a temporary DATA_DIR and relaxed rate
 * limits and removed at the end: bare Socket.IO (the baseline), the reference server on its embedded store, on
 * a throw-away PostgreSQL, and two nodes over a throw-away Redis and PostgreSQL. A target whose service is not
 * available here is skipped with the reason.
 */

/** A target while it runs: where clients connect (one URL per node) and which processes to measure. */
export interface OpenBenchTarget {
  id: TargetId;
  label: string;
  urls: string[];
  jwtSecret: string;
  nodes: TargetProcess[];
  /** The node processes' ids, for /proc (a node that is down is left out). */
  pids(): number[];
  /** The servers of the services the bench started itself (PostgreSQL's postmaster, Redis), for their CPU. */
  servicePids(): number[];
  notes: string[];
  close(): Promise<void>;
}

export function bareServerCommand(): TargetCommand {
  return { command: `"${process.execPath}" bin/sockproof.mjs bench bare-server`, cwd: REPO_ROOT };
}

/** The reference server's command with extra environment (service URLs, node id). */
function referenceWith(env: Record<string, string>, jwtSecret?: string): TargetCommand {
  const base = referenceServerCommand();
  return { ...base, env: { ...base.env, ...env }, ...(jwtSecret ? { jwtSecret } : {}) };
}

function openFrom(id: TargetId, nodes: TargetProcess[], services: ServiceLease[], notes: string[]): OpenBenchTarget {
  return {
    id,
    label: TARGET_LABELS[id],
    urls: nodes.map((n) => n.url),
    jwtSecret: nodes[0]!.jwtSecret,
    nodes,
    pids: () => nodes.flatMap((n) => (n.pid === undefined ? [] : [n.pid])),
    servicePids: () => services.flatMap((s) => (s.pid === undefined ? [] : [s.pid])),
    notes,
    async close() {
      await Promise.all(nodes.map((n) => n.stop()));
      await Promise.all(services.map((s) => s.stop()));
    },
  };
}

/**
 * The bench's throw-away PostgreSQL runs with fsync on, PostgreSQL's default and what a production
 * server runs (the test services turn it off for speed), so its figures include what it costs
 * to survive a power loss. The embedded store promises less (DUR-3: each commit reaches the operating
 * system, WAL with synchronous=NORMAL, so it survives a crash of the process, not of the machine).
 */
async function startBenchPostgres() {
  return (await postgresAvailability({ quiet: true, fsync: true })).start();
}

/** A note per service that --isolate-services could not move (none when it moved them, or was not asked). */
async function placeServices(services: [ServiceLease, string][], split: CoreSplit | undefined): Promise<string[]> {
  const notes: string[] = [];
  for (const [service, name] of services) {
    const note = await placeService(service, split, name);
    if (note) notes.push(note);
  }
  return notes;
}

/** Whether a target can run here: undefined when it can, else why not (one line). */
export async function unavailableReason(id: TargetId): Promise<string | undefined> {
  if (id === 'bare' || id === 'embedded') return undefined;
  const pg = await postgresAvailability({ quiet: true });
  if (pg.skip) return `no PostgreSQL reachable (${pg.skip})`;
  if (id === 'cluster') {
    const redis = await redisAvailability({ quiet: true, needsControl: true });
    if (redis.skip) return `no Redis reachable (${redis.skip})`;
  }
  return undefined;
}

/**
 * Starts a target (its services first, on the services' cores with --isolate-services, before any server
 * connects). Throws when it cannot; whatever it started is stopped then.
 */
export async function startBenchTarget(id: TargetId, split?: CoreSplit): Promise<OpenBenchTarget> {
  const services: ServiceLease[] = [];
  const nodes: TargetProcess[] = [];
  try {
    if (id === 'bare') return openFrom(id, [await TargetProcess.start(bareServerCommand())], services, ['no store, no auth, no limits: the baseline']);
    if (id === 'embedded') return openFrom(id, [await TargetProcess.start(referenceServerCommand())], services, ['embedded store in a temporary DATA_DIR']);
    const pg = await startBenchPostgres();
    services.push(pg);
    // No port in the notes: every round starts its own services, and the note is the same for all of them.
    const pgNote = `PostgreSQL ${pg.source} on 127.0.0.1 (throw-away${pg.source === 'url' ? ' database, its operator\'s settings' : ', fsync on as PostgreSQL ships: each commit is on disk before it is acked'})`;
    if (id === 'postgres') {
      const placing = await placeServices([[pg, 'PostgreSQL']], split);
      nodes.push(await TargetProcess.start(referenceWith({ DATABASE_URL: pg.url })));
      return openFrom(id, nodes, services, [pgNote, ...placing]);
    }
    const redis = await (await redisAvailability({ quiet: true, needsControl: true })).start();
    services.push(redis);
    const placing = await placeServices([[pg, 'PostgreSQL'], [redis, 'Redis']], split);
    const jwtSecret = randomBytes(32).toString('base64url');
    for (const nodeId of ['bench-1', 'bench-2']) {
      nodes.push(await TargetProcess.start(referenceWith({ DATABASE_URL: pg.url, REDIS_URL: redis.url, NODE_ID: nodeId }, jwtSecret)));
    }
    return openFrom(id, nodes, services, [pgNote, `Redis ${redis.source} on 127.0.0.1; clients alternate between the two nodes`, ...placing]);
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    await Promise.all(services.map((s) => s.stop()));
    throw err;
  }
}

/** Runs `body` with the command that starts one node of the target (its services started first, stopped after). */
export async function targetCommand<T>(id: Exclude<TargetId, 'cluster'>, split: CoreSplit | undefined, body: (command: TargetCommand) => Promise<T>): Promise<T> {
  if (id === 'bare') return body(bareServerCommand());
  if (id === 'embedded') return body(referenceServerCommand());
  const pg = await startBenchPostgres();
  try {
    // A PostgreSQL that cannot be moved is the same as the PostgreSQL target's, whose rows carry the note.
    await placeServices([[pg, 'PostgreSQL']], split);
    return await body(referenceWith({ DATABASE_URL: pg.url }));
  } finally {
    await pg.stop();
  }
}
