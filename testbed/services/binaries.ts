import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where to look for server binaries; tests pass `binDirs: []` to simulate a machine without them. */
export interface BinarySearchOptions {
  /** Directories to search, in order. Default: $PATH, then /usr/lib/postgresql/<newest>/bin (Debian keeps initdb there). */
  binDirs?: readonly string[];
}

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';

/** Debian's versioned PostgreSQL bin dirs, newest major version first. */
function debianPostgresBinDirs(): string[] {
  let versions: string[];
  try {
    versions = readdirSync(DEBIAN_POSTGRES_ROOT).filter((v) => /^\d+(\.\d+)?$/.test(v));
  } catch {
    return [];
  }
  return versions.sort((a, b) => Number(b) - Number(a)).map((v) => join(DEBIAN_POSTGRES_ROOT, v, 'bin'));
}

function defaultBinDirs(): string[] {
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return [...pathDirs, ...debianPostgresBinDirs()];
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of the first executable `name` in the search dirs, or undefined. */
export function findExecutable(name: string, options: BinarySearchOptions = {}): string | undefined {
  for (const dir of options.binDirs ?? defaultBinDirs()) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function findRedisServer(options: BinarySearchOptions = {}): string | undefined {
  return findExecutable('redis-server', options);
}

/**
 * initdb and postgres from the same directory, so a stray client-only PATH entry (psql, pg_dump from
 * postgresql-client) never pairs with a server of another version.
 */
export function findPostgresBinaries(options: BinarySearchOptions = {}): PostgresBinaries | undefined {
  for (const dir of options.binDirs ?? defaultBinDirs()) {
    const initdb = join(dir, 'initdb');
    const postgres = join(dir, 'postgres');
    if (isExecutable(initdb) && isExecutable(postgres)) return { initdb, postgres };
  }
  return undefined;
}
