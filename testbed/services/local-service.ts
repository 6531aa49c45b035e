import { rmSync } from 'node:fs';
import { registerExitCleanup } from './exit-cleanup.ts';
import { launchOnFreePort } from './free-port.ts';
import type { ServiceProcess } from './service-process.ts';
import { TERMINATING_SIGNALS, type ServiceLease } from './service.ts';

/** What differs between the local servers (redis-server, postgres); the lifecycle below is shared. */
export interface LocalServiceSpec {
  /** For error messages: "this Redis is gone". */
  label: string;
  /** Loopback address it listens on. */
  host: string;
  /** Its temp dir: removed at stop(), at process exit, and when the start fails. */
  dir: string;
  spawn: (port: number) => ServiceProcess;
  ready: RegExp;
  portTaken: RegExp;
  startTimeoutMs: number;
  /** How stop() and restart() end it. */
  stop: { signal: NodeJS.Signals; graceMs: number };
  /** How long kill() waits for a terminating signal to take effect. */
  killWaitMs: number;
  /** kill('SIGKILL') reaches the whole process group (a postmaster cannot take its backends down). */
  sigkillGroup: boolean;
  /** First step when the test process exits with the service still running. */
  onExit: (proc: ServiceProcess) => void;
  /** Runs once before the first launch (e.g. copying a data template); a failure cleans up. */
  prepare?: () => Promise<void>;
}

/** A lease on a server this process started: everything but its URL, which the kind of server decides. */
export type LocalService = Omit<ServiceLease, 'url'>;

/** Starts a local server on a free loopback port and owns it until stop(): kill and restart keep the port. */
export async function startLocalService(spec: LocalServiceSpec): Promise<LocalService> {
  let current: ServiceProcess | undefined;
  let stopped = false;

  const launch = async (port: number): Promise<void> => {
    const child = spec.spawn(port);
    current = child;
    try {
      await child.waitForLine(spec.ready, spec.startTimeoutMs);
    } catch (error) {
      await child.stop('SIGKILL', 1_000);
      throw error;
    }
  };
  const removeDir = () => rmSync(spec.dir, { recursive: true, force: true });

  const unregister = registerExitCleanup({
    begin: () => current && spec.onExit(current),
    done: () => !current?.alive,
    finish: () => {
      current?.signal('SIGKILL', true);
      removeDir();
    },
  });

  let port: number;
  try {
    await spec.prepare?.();
    port = await launchOnFreePort(spec.host, launch, () => current !== undefined && spec.portTaken.test(current.output(40)));
  } catch (error) {
    unregister();
    removeDir();
    throw error;
  }

  return {
    source: 'local',
    host: spec.host,
    port,
    controllable: true,
    get pid() {
      return current?.running ? current.pid : undefined;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await current?.stop(spec.stop.signal, spec.stop.graceMs);
      unregister();
      removeDir();
    },
    async kill(signal = 'SIGKILL') {
      if (stopped || !current) throw new Error(`kill() after stop(): this ${spec.label} is gone`);
      current.signal(signal, spec.sigkillGroup && signal === 'SIGKILL');
      if (TERMINATING_SIGNALS.has(signal)) await current.waitGone(spec.killWaitMs);
    },
    async restart() {
      if (stopped) throw new Error(`restart() after stop(): this ${spec.label} is gone`);
      await current?.stop(spec.stop.signal, spec.stop.graceMs);
      await launch(port); // same port (and data): clients reconnect to where the server was
    },
  };
}
