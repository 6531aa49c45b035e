import { openRunRelaxation } from '../../testbed/targets/run-relaxation.ts';
import type { TargetAccess } from '../../testbed/targets/target-http.ts';
import type { DeploymentNode } from './local-deployment.ts';

/**
 * The one place a staging run relaxes rate limits for its own traffic, and undoes it: one FIX-4 relaxation
 * for the whole run, for the run's own users only, put through one node (or the load balancer) and applied
 * by every node of the deployment; renewed while the run lasts, deleted at its end (Ctrl-C included), and
 * expiring by itself if the runner dies. Every other user of staging keeps the table's limits: the runner
 * never lifts them for everyone (FIX-2). A staging without FIX-4 keeps its limits for the run too.
 */
export interface StagingLimits {
  notes: string[];
  /** Relaxes the limits for these users of the run, on every node, before they connect (no-op without FIX-4). */
  admit(userIds: readonly string[]): Promise<void>;
  /**
   * A node came back from its restart hook: the relaxation is put again (a renewal), since a single node
   * keeps it in memory only; nodes sharing it through Redis read it back anyway. Never throws: the run goes on
   * and a warning says the restarted node may hold the run's users to the table.
   */
  afterRestart(node: DeploymentNode): Promise<void>;
  /** Ends the relaxation; the note for the output (never throws). */
  end(): Promise<string[]>;
}

export async function relaxStagingLimits(access: TargetAccess, warn: (line: string) => void = () => {}): Promise<StagingLimits> {
  const { relaxation, note } = await openRunRelaxation(access, warn);
  return {
    notes: [note],
    admit: async (userIds) => {
      await relaxation?.admit(userIds);
    },
    async afterRestart(node) {
      try {
        await relaxation?.reapply();
      } catch (err) {
        warn(`warning: relaxation ${relaxation!.id} could not be put again after ${node.name} restarted (${(err as Error).message}); the run's users may be held to its limits there`);
      }
    },
    end: async () => (relaxation ? [await relaxation.end()] : []),
  };
}
