import type { NemesisFault } from '../nemesis/executor.ts';
import type { StagingDeployment } from './staging-deployment.ts';

/**
 * Kill and pause of any staging node for a nemesis schedule played on the deployment (`--config
 * --on-deployment`): a window's `node` (0-based, in the config's order) picks whose hooks run. A fault is
 * offered only when every node has its hooks (kill and restart; pause and resume), so that no window strikes a
 * node the operator gave no way to strike; otherwise the schedule's windows of it are left out and counted.
 */
export function stagingNodeFaults(staging: Pick<StagingDeployment, 'nodes' | 'nodeFaults'>): NemesisFault[] {
  const perNode = staging.nodes.map((n) => new Map(staging.nodeFaults(n.name).map((f) => [f.name, f])));
  const faults: NemesisFault[] = [];
  for (const name of ['kill', 'pause'] as const) {
    if (!perNode.every((m) => m.has(name))) continue;
    const of = (node = 0) => {
      const f = perNode[node]?.get(name);
      if (!f) throw new Error(`no node ${node + 1} to strike (the config names ${staging.nodes.length})`);
      return f;
    };
    faults.push({ name, start: async (node) => of(node).start(), heal: async (node) => of(node).heal() });
  }
  return faults;
}
