import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostgresBinaries } from './binaries.ts';
import { registerExitCleanup } from './exit-cleanup.ts';
import { launchOnFreePort } from './free-port.ts';
import { postgresRunAs } from './postgres-os-user.ts';
import { copyTemplate, postgresTemplate } from './postgres-template.ts';
import { ServiceProcess } from './service-process.ts';
import { TERMINATING_SIGNALS, type PostgresService } from './service.ts';

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
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const durable = options.fsync ? 'on' : 'off';
  let current: ServiceProcess | undefined;
  let port = 0;
  let stopped = false;

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

  const launch = async (p: number): Promise<void> => {
    const child = new ServiceProcess(`postgres on port ${p}`, options.binaries.postgres, args(p), { cwd: dir, uid: runAs?.uid, gid: runAs?.gid });
    current = child;
    try {
      await child.waitForLine(READY, timeoutMs);
    } catch (error) {
      await child.stop('SIGKILL', 1_000);
      throw error;
    }
  };

  const unregister = registerExitCleanup({
    begin: () => {
      current?.signal('SIGCONT'); // in case a test froze it
      current?.signal('SIGQUIT'); // immediate shutdown: fast, and releases shared memory
    },
    done: () => !current?.alive,
    finish: () => {
      current?.signal('SIGKILL', true);
      rmSync(dir, { recursive: true, force: true });
    },
  });

  try {
    if (runAs) chownSync(dir, runAs.uid, runAs.gid);
    await copyTemplate(template, data);
    port = await launchOnFreePort(HOST, launch, () => current !== undefined && PORT_TAKEN.test(current.output(40)));
  } catch (error) {
    unregister();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    source: 'local',
    url: `postgres://${USER}@${HOST}:${port}/${DATABASE}`,
    host: HOST,
    port,
    user: USER,
    database: DATABASE,
    controllable: true,
    get pid() {
      return current?.running ? current.pid : undefined;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await current?.stop('SIGINT', 10_000); // SIGINT = fast shutdown: ends sessions, checkpoints, exits
      unregister();
      rmSync(dir, { recursive: true, force: true });
    },
    async kill(signal = 'SIGKILL') {
      if (stopped || !current) throw new Error('kill() after stop(): this PostgreSQL is gone');
      // A SIGKILLed postmaster cannot take its backends down; kill the whole group, like a crashed host would.
      current.signal(signal, signal === 'SIGKILL');
      if (TERMINATING_SIGNALS.has(signal)) await current.waitGone(15_000);
    },
    async restart() {
      if (stopped) throw new Error('restart() after stop(): this PostgreSQL is gone');
      await current?.stop('SIGINT', 10_000);
      await launch(port); // same port and data dir; after a kill, PostgreSQL runs crash recovery first
    },
  };
}
