import { findPostgresBinaries, findRedisServer, type BinarySearchOptions } from './binaries.ts';
import { startPostgresContainer, startRedisContainer } from './containers.ts';
import { findDockerEngine } from './docker-engine.ts';
import { startLocalPostgres } from './local-postgres.ts';
import { startLocalRedis } from './local-redis.ts';
import { postgresRunAs } from './postgres-os-user.ts';
import { ALL_SOURCES, type PostgresService, type RedisService, type ServiceSource } from './service.ts';
import { leasePostgresFromUrl } from './url-postgres.ts';
import { leaseRedisFromUrl } from './url-redis.ts';

export interface AvailabilityOptions extends BinarySearchOptions {
  /** The suite kills or restarts the server, so a server given by URL (not ours to kill) will not do. */
  needsControl?: boolean;
  /** Sources to try, in order. Default: $SOCKPROOF_SERVICE_SOURCES (e.g. "local,container"), else url,local,container. */
  sources?: readonly ServiceSource[];
  /** Where REDIS_URL / DATABASE_URL / SOCKPROOF_SERVICE_SOURCES are read. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Do not print the skip line (it is printed once per process otherwise). */
  quiet?: boolean;
}

export interface RedisOptions extends AvailabilityOptions {
  /** Local/container: append-only file fsynced per write, so data survives kill + restart. Default false. */
  persist?: boolean;
}

export interface PostgresOptions extends AvailabilityOptions {
  /** Local/container: fsync on (power-loss safety). Default false; commits survive kill -9 either way. */
  fsync?: boolean;
}

/**
 * What a suite asks at the top of the file: either `skip` is one line saying what to install, or `start()`
 * gives a private server (or a private slice of a URL-given one) each time it is called.
 */
export interface Availability<S> {
  readonly skip: string | undefined;
  readonly source: ServiceSource | undefined;
  start(): Promise<S>;
}

/** Nothing to start a service with; the message says what to install. */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
}

const SOURCES_VARIABLE = 'SOCKPROOF_SERVICE_SOURCES';

function chosenSources(options: AvailabilityOptions): readonly ServiceSource[] {
  if (options.sources) return options.sources;
  const raw = (options.env ?? process.env)[SOURCES_VARIABLE];
  if (!raw) return ALL_SOURCES;
  const sources = raw.split(',').map((s) => s.trim());
  const wrong = sources.find((s) => !(ALL_SOURCES as readonly string[]).includes(s));
  if (wrong !== undefined) throw new Error(`${SOURCES_VARIABLE} takes a comma-separated list of ${ALL_SOURCES.join(', ')}; got "${raw}"`);
  return sources as ServiceSource[];
}

interface Candidate<S> {
  /** undefined when this source can serve; else why not, for the skip line. */
  unavailable(): Promise<string | undefined>;
  start(): Promise<S>;
}

async function choose<S>(
  service: string,
  install: string,
  options: AvailabilityOptions,
  candidates: Record<ServiceSource, Candidate<S>>,
): Promise<Availability<S>> {
  const reasons: string[] = [];
  for (const source of chosenSources(options)) {
    const reason = await candidates[source].unavailable();
    if (reason === undefined) return { skip: undefined, source, start: () => candidates[source].start() };
    reasons.push(reason);
  }
  const skip = `${service} tests skipped (${reasons.join('; ') || 'no sources allowed'}): ${install}`;
  if (!options.quiet) printOnce(skip);
  return { skip, source: undefined, start: () => Promise.reject(new ServiceUnavailableError(skip)) };
}

const printed = new Set<string>();
function printOnce(line: string): void {
  if (printed.has(line)) return;
  printed.add(line);
  console.warn(line);
}

async function noDockerEngine(): Promise<string | undefined> {
  return (await findDockerEngine()) ? undefined : 'no Docker engine answers';
}

function urlReason(variable: string, url: string | undefined, needsControl: boolean | undefined): string | undefined {
  if (!url) return `${variable} not set`;
  if (needsControl) return `${variable} ignored: the suite kills/restarts the server`;
  return undefined;
}

export async function redisAvailability(options: RedisOptions = {}): Promise<Availability<RedisService>> {
  const url = (options.env ?? process.env).REDIS_URL;
  let binary: string | undefined;
  return choose('Redis', 'apt-get install redis-server (or set REDIS_URL)', options, {
    url: { unavailable: async () => urlReason('REDIS_URL', url, options.needsControl), start: () => leaseRedisFromUrl(url!) },
    local: {
      unavailable: async () => ((binary = findRedisServer(options)) ? undefined : 'no redis-server on PATH'),
      start: () => startLocalRedis({ binary: binary!, persist: options.persist }),
    },
    container: { unavailable: noDockerEngine, start: () => startRedisContainer({ persist: options.persist }) },
  });
}

export async function postgresAvailability(options: PostgresOptions = {}): Promise<Availability<PostgresService>> {
  const url = (options.env ?? process.env).DATABASE_URL;
  let binaries: ReturnType<typeof findPostgresBinaries>;
  return choose('PostgreSQL', 'apt-get install postgresql (or set DATABASE_URL)', options, {
    url: { unavailable: async () => urlReason('DATABASE_URL', url, options.needsControl), start: () => leasePostgresFromUrl(url!) },
    local: {
      unavailable: async () => {
        binaries = findPostgresBinaries(options);
        if (!binaries) return 'no initdb/postgres on PATH or in /usr/lib/postgresql/*/bin';
        if (postgresRunAs() === null) return "running as root without a 'postgres' OS user";
        return undefined;
      },
      start: () => startLocalPostgres({ binaries: binaries!, fsync: options.fsync }),
    },
    container: { unavailable: noDockerEngine, start: () => startPostgresContainer({ fsync: options.fsync }) },
  });
}
