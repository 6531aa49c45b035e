import { HTTP_PATHS } from '../spec/http.ts';
import { checkHealth } from './health.ts';
import { healthUrlFor, readPortFile } from './port-file.ts';
import type { ExitInfo } from './process-group.ts';
import type { FailureCause } from './state-machine.ts';
import { pause, race, type ExitWatch } from './waits.ts';

export interface StartupOptions {
  /** Where the server reports the port it bound (SOCKPROOF_PORT_FILE). */
  portFile: string;
  /** A fixed health URL, for servers that do not write the port file. */
  healthUrl?: string;
  startupTimeoutMs: number;
  healthTimeoutMs: number;
  stop: AbortSignal;
}

export type StartupOutcome =
  | { kind: 'healthy'; port: number | null; url: string }
  | { kind: 'failure'; cause: FailureCause }
  | { kind: 'stop' };

/** How often the port file and health URL are tried during start-up. */
const STARTUP_POLL_MS = 100;

/**
 * Start-up: the server counts as started once its health URL answers 2xx, within the start-up
 * timeout. Until then the port file is read and the URL tried every 100 ms; an exit of the
 * server or a stop request ends the wait at once.
 */
export async function waitUntilHealthy(server: ExitWatch, opts: StartupOptions): Promise<StartupOutcome> {
  const deadline = Date.now() + opts.startupTimeoutMs;
  let lastError: string | undefined;
  while (Date.now() < deadline) {
    const port = readPortFile(opts.portFile) ?? null;
    const url = opts.healthUrl ?? (port !== null ? healthUrlFor(process.env.HOST, port, HTTP_PATHS.health) : undefined);
    if (url) {
      const budget = Math.min(opts.healthTimeoutMs, Math.max(1, deadline - Date.now()));
      const probe = await race((signal) => checkHealth(url, budget, signal), server, opts.stop);
      if (probe.kind === 'stop') return { kind: 'stop' };
      if (probe.kind === 'exit') return startupExit(probe.exit);
      const result = probe.value;
      if (result.ok) return { kind: 'healthy', port, url };
      // A probe cut short by the start-up deadline that then timed out says nothing about the
      // server: keep what the last full check saw.
      const cutShort = result.timedOut && budget < opts.healthTimeoutMs;
      if (!cutShort || lastError === undefined) lastError = result.error;
    }
    const waited = await race(pause(Math.min(STARTUP_POLL_MS, Math.max(1, deadline - Date.now()))), server, opts.stop);
    if (waited.kind === 'stop') return { kind: 'stop' };
    if (waited.kind === 'exit') return startupExit(waited.exit);
  }
  const seen = lastError ? `last check: ${lastError}` : opts.healthUrl ? 'no answer' : 'it never reported a port in SOCKPROOF_PORT_FILE';
  return {
    kind: 'failure',
    cause: { reason: 'startup-timeout', exit_code: null, signal: null, message: `server not healthy within SOCKETIO_STARTUP_TIMEOUT=${opts.startupTimeoutMs / 1000}s (${seen})` },
  };
}

function startupExit(exit: ExitInfo): { kind: 'failure'; cause: FailureCause } {
  return { kind: 'failure', cause: { reason: 'startup-exit', exit_code: exit.code, signal: exit.signal, message: `server ${describeExit(exit)} before it became healthy` } };
}

export function describeExit(exit: ExitInfo): string {
  if (exit.spawnError) return `could not be started: ${exit.spawnError}`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}
