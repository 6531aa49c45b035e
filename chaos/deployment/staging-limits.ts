import { RELAXED_RATE_LIMITS } from '../../testbed/targets/target-process.ts';
import { relaxLimits, restoreLimits } from '../../testbed/targets/target-http.ts';
import type { DeploymentNode } from './local-deployment.ts';

/**
 * The one place a staging run relaxes rate limits for its own traffic, on every node it reaches, and undoes
 * it. Today that is FIX-2 (PUT /admin/limits, for every user of the node); the per-user relaxation that
 * expires by itself (FIX-4, issue 10 part 4) replaces these calls when it lands.
 */
export interface StagingLimits {
  notes: string[];
  /** A restarted node forgot the relaxation: apply it again. */
  afterRestart(node: DeploymentNode): Promise<void>;
  /** Back to each node's configured table; one note per node that could not be restored. */
  restore(): Promise<string[]>;
}

export async function relaxStagingLimits(nodes: readonly DeploymentNode[], jwtSecret: string): Promise<StagingLimits> {
  const access = (n: DeploymentNode) => ({ url: n.url, jwtSecret });
  const relaxed: DeploymentNode[] = [];
  try {
    for (const n of nodes) {
      await relaxLimits(access(n), RELAXED_RATE_LIMITS);
      relaxed.push(n);
    }
  } catch (err) {
    await Promise.all(relaxed.map((n) => restoreLimits(access(n)).catch(() => undefined)));
    throw err;
  }
  return {
    notes: [`rate limits: relaxed on ${nodes.map((n) => n.name).join(', ')} with PUT /admin/limits ${JSON.stringify(RELAXED_RATE_LIMITS)}`],
    afterRestart: (n) => relaxLimits(access(n), RELAXED_RATE_LIMITS),
    async restore() {
      const notes: string[] = [];
      for (const n of nodes) {
        try {
          await restoreLimits(access(n));
        } catch (err) {
          notes.push(`rate limits: NOT restored on ${n.name} (${(err as Error).message}); run DELETE /admin/limits on it`);
        }
      }
      return notes.length > 0 ? notes : [`rate limits: restored on ${nodes.map((n) => n.name).join(', ')} with DELETE /admin/limits`];
    },
  };
}
