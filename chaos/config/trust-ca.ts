import { spawn } from 'node:child_process';

/**
 * Node reads NODE_EXTRA_CA_CERTS once, at start-up, and then every TLS client of the process trusts it: fetch
 * (health, admin calls), socket.io's WebSocket, the history reader. A run whose config names a CA file is run
 * again as a child with it set, so that all of them trust staging's CA and nothing turns verification off.
 */
export function trustsCaFile(caFile: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NODE_EXTRA_CA_CERTS === caFile;
}

/** Runs this same command line again with NODE_EXTRA_CA_CERTS=caFile; resolves with its exit status. */
export function rerunTrusting(caFile: string): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
    // Its own process group: a Ctrl-C reaches it once, forwarded from here, not twice (a second one quits at
    // once, without healing staging).
    detached: true,
  });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal === 'SIGINT' ? 130 : 2));
    });
  });
}
