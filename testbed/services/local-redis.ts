import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalService } from './local-service.ts';
import { ServiceProcess } from './service-process.ts';
import type { RedisService } from './service.ts';

export interface LocalRedisOptions {
  /** Path of redis-server. */
  binary: string;
  /**
   * Keep data across kill/restart with an append-only file fsynced on every write, as a durable
   * deployment would. Default false: nothing is written to disk and a restart starts empty.
   */
  persist?: boolean;
  /** Default 10 s. */
  startTimeoutMs?: number;
}

const HOST = '127.0.0.1';
const READY = /Ready to accept connections/;
const PORT_TAKEN = /Address already in use/;

/** A private redis-server on a free loopback port, with its data dir in a temp dir removed at stop(). */
export async function startLocalRedis(options: LocalRedisOptions): Promise<RedisService> {
  const dir = mkdtempSync(join(tmpdir(), 'sockproof-redis-'));
  const args = (p: number) => [
    '--port', String(p),
    '--bind', HOST,
    '--dir', dir,
    '--daemonize', 'no',
    '--protected-mode', 'no',
    '--save', '',
    '--appendonly', options.persist ? 'yes' : 'no',
    '--appendfsync', 'always',
    '--loglevel', 'notice',
  ];
  const server = await startLocalService({
    label: 'Redis',
    host: HOST,
    dir,
    spawn: (p) => new ServiceProcess(`redis-server on port ${p}`, options.binary, args(p), { cwd: dir }),
    ready: READY,
    portTaken: PORT_TAKEN,
    startTimeoutMs: options.startTimeoutMs ?? 10_000,
    stop: { signal: 'SIGTERM', graceMs: 5_000 },
    killWaitMs: 10_000,
    sigkillGroup: false,
    onExit: (proc) => proc.signal('SIGKILL', true), // nothing on disk worth a clean shutdown
  });

  // Object.assign keeps the lease's live `pid` getter, which a spread would freeze.
  return Object.assign(server, { url: `redis://${HOST}:${server.port}`, keyPrefix: '' });
}
