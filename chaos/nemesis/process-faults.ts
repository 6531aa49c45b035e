import type { FaultLink } from '../../testbed/fault-proxy/fault-link.ts';
import type { TargetProcess } from '../../testbed/targets/target-process.ts';
import { waitServing } from '../../testbed/targets/target-http.ts';
import type { NemesisFault } from './executor.ts';

const SERVING_TIMEOUT_MS = 120_000;

/**
 * The faults the runner injects itself: on the clients' path through the fault proxy, a partition (cut/heal)
 * and a latency toxic; on servers it started (one, or each node of a deployment: the window names which),
 * SIGKILL (healed by a restart on the same port and data, then the first 200 on /health/socket) and
 * SIGSTOP/SIGCONT of its process group.
 */
export function processFaults(procs: readonly TargetProcess[], link: FaultLink | undefined, latencyMs: number): NemesisFault[] {
  const faults: NemesisFault[] = [];
  if (link) {
    faults.push({ name: 'partition', start: () => link.cut(), heal: () => link.heal() }, { name: 'latency', start: () => link.addLatency(latencyMs), heal: () => link.removeLatency() });
  }
  if (procs.length === 0) return faults;
  const proc = (node = 0) => {
    const p = procs[node];
    if (!p) throw new Error(`no node ${node + 1} to strike (the run has ${procs.length})`);
    return p;
  };
  faults.push(
    {
      name: 'kill',
      start: (node) => proc(node).crash(),
      heal: async (node) => {
        const p = proc(node);
        const serving = waitServing(p.url, performance.now() + SERVING_TIMEOUT_MS);
        await p.restart();
        if ((await serving) === undefined) throw new Error(`the server did not serve /health/socket within ${SERVING_TIMEOUT_MS} ms of a restart: ${p.lastOutput()}`);
      },
    },
    { name: 'pause', start: async (node) => proc(node).signal('SIGSTOP'), heal: async (node) => proc(node).signal('SIGCONT') },
  );
  return faults;
}
