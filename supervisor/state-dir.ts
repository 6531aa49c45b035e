import { join } from 'node:path';

/** Where the supervisor keeps its files: the original daemon's pid file names, plus what this one adds. */
export interface StatePaths {
  dir: string;
  supervisorPid: string;
  serverPid: string;
  /** Created exclusively by the running supervisor; a second one finds it and refuses to start. */
  lock: string;
  /** Where the server writes the port it bound (SOCKPROOF_PORT_FILE, OPS-5). */
  portFile: string;
  supervisorLog: string;
  serverLog: string;
}

export function statePaths(dir: string): StatePaths {
  return {
    dir,
    supervisorPid: join(dir, 'socketio-supervisor.pid'),
    serverPid: join(dir, 'socketio-server.pid'),
    lock: join(dir, 'socketio-supervisor.lock'),
    portFile: join(dir, 'socketio-server.port'),
    supervisorLog: join(dir, 'socketio-supervisor.log'),
    serverLog: join(dir, 'socketio-server.log'),
  };
}

/**
 * Set in the server's environment: marks its processes as supervised from this state
 * directory, so a later supervisor can tell its own leftover server from a process that
 * merely reuses the pid.
 */
export const SUPERVISED_BY_ENV = 'SOCKPROOF_SUPERVISED_BY';
