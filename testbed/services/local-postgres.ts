import { chownSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostgresBinaries } from './binaries.ts';
import { startLocalService } from './local-service.ts';
import { postgresRunAs } from './postgres-os-user.ts';
import { copyTemplate, postgresTemplate } from './postgres-template.ts';
import { ServiceProcess } from './service-process.ts';
import type { PostgresService } from './service.ts';

export interface LocalPostgresOptions {
  binaries: PostgresBinaries;
  /**
   * fsync WAL and data to disk. Default false: a commit is still written to the kernel before it is
   * acknowledged (synchronous_commit stays on), so it survives kill -9 of PostgreSQL, which is the crash this
   * harness simulates; fsync only adds safety against power loss / kernel crash, at a large cost in speed.
   */
  fsync?: boolean;
  /** Default 20 s. */
  startTimeoutMs?: number;
}

const HOST = '127.0.0.1';
const USER = 'postgres';
const DATABASE = 'postgres';
const READY = /database system is ready to accept connections/;
const PORT_TAKEN = /could not bind|Address already in use/;

/**
 * A private PostgreSQL cluster on a free loopback port, in a temp dir removed at stop(). When we are root it
 * runs as the `postgres` OS user. The postmaster is started directly (not through pg_ctl, which detaches)
 * so we own its pid and can signal it like a crash would.
 */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<PostgresService> {
  const runAs = postgresRunAs();
  if (runAs === null) throw new Error("running as root but there is no 'postgres' OS user to run PostgreSQL: apt-get install postgresql, or run as a normal user");
  const template = await postgresTemplate(options.binaries.initdb, runAs);
  const dir = mkdtempSync(join(tmpdir(), 'sockproof-pg-'));
  const data = join(dir, 'data');
  const durable = options.fsync ? 'on' : 'off';
  const args = (p: number) => [
    '-D', data,
    '-p', String(p),
    '-k', dir, // unix socket in our temp dir, never the shared /var/run/postgresql
    '-c', `listen_addresses=${HOST}`,
    '-c', `fsync=${durable}`,
    '-c', `full_page_writes=${durable}`,
    '-c', 'synchronous_commit=on',
    '-c', 'max_connections=50',
    '-c', 'shared_buffers=32MB',
  ];
  const server = await startLocalService({
    label: 'PostgreSQL',
    host: HOST,
    dir,
    spawn: (p) => new ServiceProcess(`postgres on port ${p}`, options.binaries.postgres, args(p), { cwd: dir, uid: runAs?.uid, gid: runAs?.gid }),
    ready: READY,
    portTaken: PORT_TAKEN,
    startTimeoutMs: options.startTimeoutMs ?? 20_000,
    stop: { signal: 'SIGINT', graceMs: 10_000 }, // fast shutdown: ends sessions, checkpoints, exits; after a kill, restart runs crash recovery first
    killWaitMs: 15_000,
    sigkillGroup: true,
    onExit: (proc) => {
      proc.signal('SIGCONT'); // in case a test froze it
      proc.signal('SIGQUIT'); // immediate shutdown: fast, and releases shared memory
    },
    prepare: async () => {
      if (runAs) chownSync(dir, runAs.uid, runAs.gid);
      await copyTemplate(template, data);
    },
  });

  // Object.assign keeps the lease's live `pid` getter, which a spread would freeze.
  return Object.assign(server, { url: `postgres://${USER}@${HOST}:${server.port}/${DATABASE}`, user: USER, database: DATABASE });
}
