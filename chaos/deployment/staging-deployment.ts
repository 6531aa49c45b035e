import { ProxiedDependencies } from '../../testbed/services/proxied-dependencies.ts';
import { probeHealth, waitServing } from '../../testbed/targets/target-http.ts';
import type { StagingConfig } from '../config/load-config.ts';
import { redactSecrets } from '../config/load-config.ts';
import type { NodeHookName } from '../config/chaos-config.ts';
import type { NemesisFault } from '../nemesis/executor.ts';
import type { KillableNode } from '../scenario.ts';
import { runHookOrThrow, type HookResult } from './command-hook.ts';
import { LOAD_BALANCER_COVERAGE, type Deployment, type DeploymentNode } from './local-deployment.ts';
import { relaxStagingLimits, type StagingLimits } from './staging-limits.ts';

/** How long a node may take to serve /health/socket again after its restart hook returned. */
const SERVING_AFTER_RESTART_MS = 120_000;

/**
 * Staging as the config file names it, offered to the scenarios through the interface the local deployment
 * offers (chaos/deployment/local-deployment.ts): its nodes' URLs, its dependencies through the proxies named
 * in its Toxiproxy (ProxiedDependencies.attach; healed, never removed, at the end), and node faults through
 * the operator's hooks. The runner starts nothing there.
 */
export interface StagingDeployment extends Omit<Deployment, 'dependencies'> {
  /** Undefined when the file names no proxies (then only node faults and the single-node scenarios run). */
  dependencies: ProxiedDependencies | undefined;
  /** Every hook run so far, with its exit code, duration and output (secrets redacted): for the report. */
  hookRuns: HookResult[];
  /** The kill and pause faults the operator's hooks give this node (none without hooks). */
  nodeFaults(name: string): NemesisFault[];
  /** The node as the kill scenario kills it: kill hook, restart hook (then serving, the run's relaxation put again); undefined without those hooks. */
  killable(name: string): KillableNode | undefined;
}

export class StagingUnavailableError extends Error {
  override name = 'StagingUnavailableError';
}

/** `warn`: where a warning during the run goes (a relaxation that could not be renewed or put back). */
export async function openStagingDeployment(config: StagingConfig, opts: { warn?: (line: string) => void } = {}): Promise<StagingDeployment> {
  for (const node of config.nodes) {
    const status = await probeHealth(node.url).catch((err: Error) => {
      throw new StagingUnavailableError(redactSecrets(err.message, config.secrets));
    });
    if (status >= 500 && status !== 503) throw new StagingUnavailableError(`${node.name} (${node.url}) answered ${status} on /health/socket`);
  }
  const proxies = config.toxiproxy?.proxies ?? {};
  let dependencies: ProxiedDependencies | undefined;
  if (config.toxiproxy && (proxies.redis || proxies.postgres)) {
    try {
      dependencies = await ProxiedDependencies.attach(proxies, { TOXIPROXY_URL: config.toxiproxy.url });
    } catch (err) {
      throw new StagingUnavailableError(redactSecrets((err as Error).message, config.secrets));
    }
  }
  const nodes: DeploymentNode[] = config.nodes.map((n) => ({ name: n.name, url: n.url, process: undefined }));
  let limits: StagingLimits;
  try {
    // Through the first node (or the load balancer): FIX-4 has every other node apply it.
    limits = await relaxStagingLimits({ url: nodes[0]!.url, tokens: config.tokens }, opts.warn);
  } catch (err) {
    await dependencies?.stop();
    throw err;
  }
  const hookRuns: HookResult[] = [];
  const hook = (name: string, which: NodeHookName) => {
    const node = config.nodes.find((n) => n.name === name)!;
    const command = node.hooks?.[which];
    if (command === undefined) return undefined;
    return () => runHookOrThrow({ hook: which, node, command, timeoutMs: config.hookTimeoutMs, redact: (t) => redactSecrets(t, config.secrets) }, hookRuns);
  };
  const killable = (name: string): KillableNode | undefined => {
    const node = nodes.find((n) => n.name === name);
    const [kill, restart] = [hook(name, 'kill'), hook(name, 'restart')];
    if (!node || !kill || !restart) return undefined;
    return {
      url: node.url,
      crash: async () => void (await kill()),
      async restart() {
        await restart();
        if ((await waitServing(node.url, performance.now() + SERVING_AFTER_RESTART_MS)) === undefined) {
          throw new Error(`${name} did not serve /health/socket within ${SERVING_AFTER_RESTART_MS} ms of its restart hook`);
        }
        await limits.afterRestart(node);
      },
      lastOutput: () => hookRuns.filter((h) => h.node === name).at(-1)?.output ?? '',
    };
  };
  let closed = false;
  const notes = [
    `deployment: staging from ${config.file}: ${config.viaLoadBalancer ? `one load balancer ${nodes[0]!.url} (${LOAD_BALANCER_COVERAGE})` : `${nodes.length} nodes (${nodes.map((n) => `${n.name} ${n.url}`).join(', ')})`}${config.toxiproxy ? `; Toxiproxy ${new URL(config.toxiproxy.url).origin} with proxies ${JSON.stringify(proxies)}` : ''}${config.caFile ? `; TLS trusted with ${config.caFile}` : ''}`,
    `auth (${config.authKind}): every token of the run ${config.tokens.describe}`,
    ...limits.notes,
  ];
  return {
    nodes,
    tokens: config.tokens,
    viaLoadBalancer: config.viaLoadBalancer,
    timings: config.timings,
    admit: limits.admit,
    dependencies,
    hookRuns,
    notes,
    nodeFaults(name) {
      const faults: NemesisFault[] = [];
      const node = killable(name);
      if (node) faults.push({ name: 'kill', start: () => node.crash(), heal: () => node.restart() });
      const [pause, resume] = [hook(name, 'pause'), hook(name, 'resume')];
      if (pause && resume) faults.push({ name: 'pause', start: async () => void (await pause()), heal: async () => void (await resume()) });
      return faults;
    },
    killable,
    async close() {
      if (closed) return;
      closed = true;
      await dependencies?.stop();
      notes.push(...(await limits.end()));
      if (hookRuns.length > 0) notes.push(`hooks: ${hookSummary(hookRuns)}`);
    },
  };
}

/** What the hooks did, per node and hook: "node-1 kill x3 (max 40 ms), node-1 restart x3 (max 900 ms, 1 failed (exit 1: <its last line>))". */
export function hookSummary(runs: readonly HookResult[]): string {
  const groups = new Map<string, HookResult[]>();
  for (const r of runs) groups.set(`${r.node} ${r.hook}`, [...(groups.get(`${r.node} ${r.hook}`) ?? []), r]);
  return [...groups]
    .map(([key, rs]) => {
      const failed = rs.filter((r) => r.exitCode !== 0);
      const last = failed.at(-1);
      const failures = last ? `, ${failed.length} failed (${last.timedOut ? 'timed out' : `exit ${last.exitCode}`}${last.output ? `: ${last.output.split('\n').at(-1)!.slice(0, 120)}` : ''})` : '';
      return `${key} x${rs.length} (max ${Math.max(...rs.map((r) => r.durationMs))} ms${failures})`;
    })
    .join(', ');
}
