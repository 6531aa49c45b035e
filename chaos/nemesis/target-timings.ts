import { readSpecDocument } from '../../testbed/targets/target-http.ts';
import { RECOVERY_TIMING_NAMES, SPEC_DEFAULT_TIMINGS, type RecoveryTimingName, type RecoveryTimings } from './recovery.ts';

/**
 * The timings a deployment's recovery is judged by, each with where it came from, so that a staging target with
 * its own timings is held to its own bounds, not to the local deployment's:
 * - the breaker reset timeout from the target itself: GET /spec `breakers.resetTimeoutMs` of every node (the
 *   longest, should they differ; SPECDOC-1 has a server publish the value it uses);
 * - the timings GET /spec does not publish (dependency timeout, Redis reconnect max, health probe interval): as
 *   the runner set them in the nodes' environment when it started them (CFG-3), else SPEC.md's defaults.
 */
export async function readRecoveryTimings(nodes: readonly { name: string; url: string }[], runnerSet: Readonly<Record<string, string>>): Promise<RecoveryTimings> {
  const docs = await Promise.all(nodes.map((n) => readSpecDocument(n.url).then((d) => ({ node: n.name, resetMs: d.breakers.resetTimeoutMs }), () => undefined)));
  const published = docs.filter((d): d is { node: string; resetMs: number } => d !== undefined);
  const fallback = (k: RecoveryTimingName, why: string) =>
    runnerSet[k] !== undefined && Number.isFinite(Number(runnerSet[k]))
      ? { ms: Number(runnerSet[k]), from: `the nodes' environment set by the runner (CFG-3)${why}` }
      : { ms: SPEC_DEFAULT_TIMINGS[k], from: `SPEC.md's defaults${why}` };
  const timings = Object.fromEntries(RECOVERY_TIMING_NAMES.map((k) => [k, fallback(k, ' (not in GET /spec)')])) as RecoveryTimings;
  if (published.length > 0) {
    const ms = Math.max(...published.map((d) => d.resetMs));
    const differ = new Set(published.map((d) => d.resetMs)).size > 1 ? ` (the longest: ${published.map((d) => `${d.node} ${d.resetMs}`).join(', ')})` : '';
    timings.BREAKER_RESET_TIMEOUT_MS = { ms, from: `GET /spec breakers.resetTimeoutMs of ${published.map((d) => d.node).join(', ')}${differ}` };
  } else {
    timings.BREAKER_RESET_TIMEOUT_MS = fallback('BREAKER_RESET_TIMEOUT_MS', ' (GET /spec not answered)');
  }
  return timings;
}
