import { readSpecDocument } from '../../testbed/targets/target-http.ts';
import { RECOVERY_TIMING_NAMES, SPEC_DEFAULT_TIMINGS, type RecoveryTimingName, type RecoveryTimings } from './recovery.ts';

/**
 * The timings a deployment's recovery is judged by, each with where it came from, so that a staging target with
 * its own timings is held to its own bounds, not to the local deployment's. Each timing from the first of:
 * 1. the target itself: GET /spec `breakers.resetTimeoutMs` of every node (the longest, should they differ;
 *    SPECDOC-1 has a server publish the value it uses): what a node says it does wins over what anyone says of it;
 * 2. the config file's `timings` (staging: what the operator knows of the deployment and GET /spec lacks);
 * 3. as the runner set them in the nodes' environment when it started them (CFG-3);
 * 4. SPEC.md's defaults.
 */

/** The config file's `timings` (chaos-config.ts) by the CFG-3 timing each stands for. */
export const CONFIG_TIMING_KEYS: Record<RecoveryTimingName, 'breakerResetMs' | 'dependencyTimeoutMs' | 'redisReconnectMaxMs' | 'probeIntervalMs'> = {
  BREAKER_RESET_TIMEOUT_MS: 'breakerResetMs',
  DEPENDENCY_TIMEOUT_MS: 'dependencyTimeoutMs',
  REDIS_RECONNECT_MAX_MS: 'redisReconnectMaxMs',
  DEPENDENCY_PROBE_INTERVAL_MS: 'probeIntervalMs',
};
export type ConfiguredTimings = Partial<Record<(typeof CONFIG_TIMING_KEYS)[RecoveryTimingName], number>>;

/** Where a value from the config file is said to come from in the report. */
export const CONFIG_SOURCE = 'config';

export async function readRecoveryTimings(
  nodes: readonly { name: string; url: string }[],
  runnerSet: Readonly<Record<string, string>>,
  configured: ConfiguredTimings = {},
): Promise<RecoveryTimings> {
  const docs = await Promise.all(nodes.map((n) => readSpecDocument(n.url).then((d) => ({ node: n.name, resetMs: d.breakers.resetTimeoutMs }), () => undefined)));
  const published = docs.filter((d): d is { node: string; resetMs: number } => d !== undefined);
  const fallback = (k: RecoveryTimingName, why: string) => {
    const fromConfig = configured[CONFIG_TIMING_KEYS[k]];
    if (fromConfig !== undefined) return { ms: fromConfig, from: `${CONFIG_SOURCE}${why}` };
    return runnerSet[k] !== undefined && Number.isFinite(Number(runnerSet[k]))
      ? { ms: Number(runnerSet[k]), from: `the nodes' environment set by the runner (CFG-3)${why}` }
      : { ms: SPEC_DEFAULT_TIMINGS[k], from: `SPEC.md's defaults${why}` };
  };
  const timings = Object.fromEntries(RECOVERY_TIMING_NAMES.map((k) => [k, fallback(k, ' (not in GET /spec)')])) as RecoveryTimings;
  if (published.length > 0) {
    const ms = Math.max(...published.map((d) => d.resetMs));
    const differ = new Set(published.map((d) => d.resetMs)).size > 1 ? ` (the longest: ${published.map((d) => `${d.node} ${d.resetMs}`).join(', ')})` : '';
    const overruled = configured.breakerResetMs !== undefined && configured.breakerResetMs !== ms ? `; the config's timings.breakerResetMs ${configured.breakerResetMs} not used: the published value wins` : '';
    timings.BREAKER_RESET_TIMEOUT_MS = { ms, from: `GET /spec breakers.resetTimeoutMs of ${published.map((d) => d.node).join(', ')}${differ}${overruled}` };
  } else {
    timings.BREAKER_RESET_TIMEOUT_MS = fallback('BREAKER_RESET_TIMEOUT_MS', ' (GET /spec not answered)');
  }
  return timings;
}
