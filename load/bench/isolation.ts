import { allowedCpus, pinToCpus, tasksetInstalled, threadSiblings } from '../../testbed/cpu-affinity.ts';
import { childPids } from '../../testbed/process-tree.ts';
import type { ServiceLease } from '../../testbed/services/index.ts';

/**
 * `--isolate-services`: the bench's own PostgreSQL and Redis on a physical core of their own (the last one: one
 * core whatever the machine's size, enough for a bench's database), the servers and the clients on the others.
 * In production the database runs on its own host; on a small machine it otherwise shares the cores with the load
 * generator and the server under test, and a store round trip waits for a core as often as for the store (issue 9:
 * on 2 shared cores a PostgreSQL commit took 1.5 ms from send to answer for 0.6 ms of the backend's CPU). Bare
 * Socket.IO and the embedded store, which have no service, get the same cores as the servers, so every ratio
 * compares servers on the same cores.
 */
export interface CoreSplit {
  /** The bench, its client workers and the servers under test (every process it starts inherits them). */
  app: number[];
  /** The bench's throw-away services: the last allowed core, with its hyperthread siblings. */
  services: number[];
}

/**
 * Pure but for `siblingsOf` (the hardware threads sharing a core's physical core, itself included): the last
 * allowed core and its allowed siblings for the services, the rest for everything else. Siblings go together: a
 * server on the other thread of the database's core would share its execution units. Undefined when nothing is
 * left for the servers.
 */
export function splitCores(allowed: readonly number[], siblingsOf: (core: number) => readonly number[] = (core) => [core]): CoreSplit | undefined {
  const last = allowed[allowed.length - 1];
  if (last === undefined) return undefined;
  const siblings = siblingsOf(last);
  const services = allowed.filter((core) => core === last || siblings.includes(core));
  const app = allowed.filter((core) => !services.includes(core));
  return app.length > 0 ? { app, services } : undefined;
}

/** The split in words, for the output and the report. */
export function describeIsolation(split: CoreSplit): string {
  return `services isolated: servers and clients on core(s) ${split.app.join(',')}, the bench's PostgreSQL and Redis on core ${split.services.join(',')}`;
}

/** The split for this process, or why there is none (one line). */
export function planIsolation(): CoreSplit | string {
  if (process.platform !== 'linux') return `--isolate-services needs Linux (core affinity), not ${process.platform}`;
  const allowed = allowedCpus();
  const split = splitCores(allowed, threadSiblings);
  if (!split) return `--isolate-services needs 2 or more physical cores, and this process may use ${allowed.length} core(s) (${allowed.join(',')})`;
  if (!tasksetInstalled()) return '--isolate-services needs taskset (Debian: util-linux)';
  return split;
}

/** Moves this process (and so everything it starts from now on) to the servers' cores. */
export function isolateBench(split: CoreSplit): Promise<void> {
  return pinToCpus(process.pid, split.app);
}

/**
 * Moves a service the bench started to the services' core, with the processes it already forked (PostgreSQL's
 * background workers); backends forked later inherit it. A service from DATABASE_URL, or in a container, has no
 * process here to move: the note says so.
 */
export async function placeService(service: ServiceLease, split: CoreSplit | undefined, name: string): Promise<string | undefined> {
  if (!split) return undefined;
  if (service.pid === undefined) {
    return `${name} ${service.source === 'container' ? 'runs in a container' : 'is not the bench\'s own'}: not moved to a core of its own, it shares the servers' cores`;
  }
  await pinToCpus(service.pid, split.services);
  // A child that ended meanwhile (a backend closing) needs no core.
  for (const pid of childPids(service.pid)) await pinToCpus(pid, split.services).catch(() => {});
  return undefined;
}
