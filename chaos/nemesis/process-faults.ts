import type { FaultLink } from '../../testbed/fault-proxy/fault-link.ts';
import type { TargetProcess } from '../../testbed/targets/target-process.ts';
import { waitServing } from '../../testbed/targets/target-http.ts';
import type { NemesisFault } from './executor.ts';

const SERVING_TIMEOUT_MS = 120_000;

/**
 * The faults the runner injects itself: on a server it started, SIGKILL (healed by a restart on the same port
 * and data, then the first 200 on /health/socket) and SIGSTOP/SIGCONT of its process group; on the clients'
 * path through the fault proxy, a partition (cut/heal) and a latency toxic.
 */
export function processFaults(proc: TargetProcess | undefined, link: FaultLink, latencyMs: number): NemesisFault[] {
  const faults: NemesisFault[] = [
    { name: 'partition', start: () => link.cut(), heal: () => link.heal() },
    { name: 'latency', start: () => link.addLatency(latencyMs), heal: () => link.removeLatency() },
  ];
  if (proc) {
    faults.push(
      {
        name: 'kill',
        start: () => proc.crash(),
        heal: async () => {
          const serving = waitServing(proc.url, performance.now() + SERVING_TIMEOUT_MS);
          await proc.restart();
          if ((await serving) === undefined) throw new Error(`the server did not serve /health/socket within ${SERVING_TIMEOUT_MS} ms of a restart: ${proc.lastOutput()}`);
        },
      },
      { name: 'pause', start: async () => proc.signal('SIGSTOP'), heal: async () => proc.signal('SIGCONT') },
    );
  }
  return faults;
}
