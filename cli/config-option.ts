import type { StagingConfig } from '../chaos/config/load-config.ts';
import type { TargetFlags } from '../testbed/targets/target-flags.ts';
import type { TargetChoice } from '../testbed/targets/run-target.ts';
import { UsageError } from './usage-error.ts';

/**
 * `--config FILE` for chaos, load and fuzz: one file names the deployment (nodes or a load balancer), how to
 * authenticate, the TLS CA and allowRemote, so that an operator points all three at staging with it
 * (chaos/README.md). The file names the target and its auth: flags that name them another way are refused.
 */

export const CONFIG_OPTION = [
  '--config <file>',
  'run against the deployment this JSON file names (the same file as chaos --config): nodes or a load balancer, auth, TLS CA, allowRemote (chaos/README.md, chaos/chaos.example.json)',
] as const;

/** Flags the file stands in for: given with --config, the run is refused (exit 2). */
const CONFLICTING = ['target', 'serverCmd', 'jwtSecret', 'env'] as const;

/** The file, validated, its secrets resolved; every problem one line (`sockproof: --config FILE: $.path: ...`), exit 2. */
async function loadConfigOption(flags: TargetFlags & { config?: string }): Promise<StagingConfig> {
  const given = CONFLICTING.filter((k) => flags[k] !== undefined);
  if (given.length > 0) throw new UsageError(`--config names the deployment and its auth: leave out ${given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`);
  const { ChaosConfigError, loadChaosConfig } = await import('../chaos/config/load-config.ts');
  try {
    return await loadChaosConfig(flags.config!, process.env, flags.allowRemote === true);
  } catch (err) {
    if (err instanceof ChaosConfigError) throw new UsageError(err.lines.join('\nsockproof: '));
    throw err;
  }
}

/**
 * Once this process trusts the file's CA (trust-ca.ts runs the command again when it does not: then its exit
 * status is returned and this run does nothing): refuses a config whose minted tokens lack the iss or aud the
 * target requires (GET /spec auth; AUTH-3). A target that does not answer is left to the run to report.
 */
async function readyToRun(config: StagingConfig): Promise<{ rerunExit: number } | undefined> {
  if (config.caFile !== undefined) {
    const { rerunTrusting, trustsCaFile } = await import('../chaos/config/trust-ca.ts');
    if (!trustsCaFile(config.caFile)) {
      // The child runs the command, its own refresh included.
      config.refresher?.stop();
      return { rerunExit: await rerunTrusting(config.caFile) };
    }
  }
  if (config.claims) {
    const { readSpecDocument } = await import('../testbed/targets/target-http.ts');
    const { requiredClaimsIssues } = await import('../chaos/config/required-claims.ts');
    const node = config.nodes[0]!;
    const published = await readSpecDocument(node.url).then((d) => d.auth, () => undefined);
    const issues = published ? requiredClaimsIssues(node.name, published, config.claims) : [];
    if (issues.length > 0) throw new UsageError(issues.map((i) => `--config ${config.file}: ${i}`).join('\nsockproof: '));
  }
  return undefined;
}

/**
 * Supplied tokens (`"kind": "tokens"`): refuses, before anything runs, a run that needs more distinct users than
 * the file holds, or that could outlast a token nobody refreshes (its payload's exp against the run's length;
 * with a `refresh` command only the admin token can). `runS` and `runLimit`: how long the run may last, and the
 * flag that says so.
 */
export function refuseShortOfTokens(config: StagingConfig, need: { users: number; why: string }, runS: number, runLimit: string): void {
  if (need.users > config.tokens.users) {
    throw new UsageError(
      `--config ${config.file}: $.auth.users: the run needs ${need.users} distinct users (${need.why}), the file holds ${config.tokens.users}: supply ${need.users - config.tokens.users} more token(s), or fewer --clients`,
    );
  }
  const runEnds = Date.now() + runS * 1000;
  if (config.firstExpiry && config.firstExpiry.atMs <= runEnds) {
    const fix = config.refresher ? 'supply a fresher admin token (a refresh renews the user tokens only)' : 'supply fresher tokens, or a "refresh" command';
    throw new UsageError(`--config ${config.file}: $.auth: ${config.firstExpiry.who} expires at ${new Date(config.firstExpiry.atMs).toISOString()}, before the run's ${runLimit} of ${runS} s would end: ${fix}, or a shorter ${runLimit}`);
  }
}

/**
 * load and fuzz: the deployment `--config` names, as withTarget takes it (its first node, or the load balancer,
 * with the file's tokens; ended when a token refresh fails); `rerunExit` when the command ran again trusting the
 * file's CA; undefined without --config.
 */
export async function configuredTarget(flags: TargetFlags & { config?: string }): Promise<{ rerunExit: number } | { config: StagingConfig; run: { choice: TargetChoice; endsOn: AbortSignal | undefined } } | undefined> {
  if (flags.config === undefined) return undefined;
  const config = await loadConfigOption(flags);
  const rerun = await readyToRun(config);
  if (rerun) return rerun;
  return { config, run: { choice: { kind: 'url', url: config.nodes[0]!.url, tokens: config.tokens }, endsOn: config.refresher?.failed } };
}
