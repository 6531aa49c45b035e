import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerExitCleanup } from './exit-cleanup.ts';
import { launchOnFreePort } from './free-port.ts';
import { ServiceProcess } from './service-process.ts';
import { TERMINATING_SIGNALS, type RedisService } from './service.ts';

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
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  let current: ServiceProcess | undefined;
  let port = 0;
  let stopped = false;

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

  const launch = async (p: number): Promise<void> => {
    const child = new ServiceProcess(`redis-server on port ${p}`, options.binary, args(p), { cwd: dir });
    current = child;
    try {
      await child.waitForLine(READY, timeoutMs);
    } catch (error) {
      await child.stop('SIGKILL', 1_000);
      throw error;
    }
  };

  const unregister = registerExitCleanup({
    begin: () => current?.signal('SIGKILL', true), // nothing on disk worth a clean shutdown
    done: () => !current?.alive,
    finish: () => {
      current?.signal('SIGKILL', true);
      rmSync(dir, { recursive: true, force: true });
    },
  });

  try {
    port = await launchOnFreePort(HOST, launch, () => current !== undefined && PORT_TAKEN.test(current.output(40)));
  } catch (error) {
    unregister();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    source: 'local',
    url: `redis://${HOST}:${port}`,
    host: HOST,
    port,
    keyPrefix: '',
    controllable: true,
    get pid() {
      return current?.running ? current.pid : undefined;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await current?.stop('SIGTERM', 5_000);
      unregister();
      rmSync(dir, { recursive: true, force: true });
    },
    async kill(signal = 'SIGKILL') {
      if (stopped || !current) throw new Error('kill() after stop(): this Redis is gone');
      current.signal(signal);
      if (TERMINATING_SIGNALS.has(signal)) await current.waitGone(10_000);
    },
    async restart() {
      if (stopped) throw new Error('restart() after stop(): this Redis is gone');
      await current?.stop('SIGTERM', 5_000);
      await launch(port); // same port: clients reconnect to where the server was
    },
  };
}
