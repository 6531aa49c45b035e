import { ProxiedDependencies } from '../../testbed/services/proxied-dependencies.ts';
import { probeHealth, waitServing } from '../../testbed/targets/target-http.ts';
import type { StagingConfig } from '../config/load-config.ts';
import { redactSecrets } from '../config/load-config.ts';
import type { NodeHookName } from '../config/chaos-config.ts';
import type { NemesisFault } from '../nemesis/executor.ts';
import { runHookOrThrow, type HookResult } from './command-hook.ts';
import type { Deployment, DeploymentNode } from './local-deployment.ts';
import { relaxStagingLimits } from './staging-limits.ts';

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
}

export class StagingUnavailableError extends Error {
  override name = 'StagingUnavailableError';
}

export async function openStagingDeployment(config: StagingConfig): Promise<StagingDeployment> {
  const secret = config.tokens.secret;
  if (secret === undefined) throw new StagingUnavailableError('the dependency scenarios sign their admin fixtures with the HS256 secret: auth.kind "jwks" cannot run them yet');
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
  let limits: Awaited<ReturnType<typeof relaxStagingLimits>>;
  try {
    limits = await relaxStagingLimits(nodes, secret);
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
  let closed = false;
  const notes = [
      `deployment: staging from ${config.file}: ${config.viaLoadBalancer ? `one load balancer ${nodes[0]!.url} (dependency faults only; relaxed limits reach one node behind it)` : `${nodes.length} nodes (${nodes.map((n) => `${n.name} ${n.url}`).join(', ')})`}${config.toxiproxy ? `; Toxiproxy ${config.toxiproxy.url} with proxies ${JSON.stringify(proxies)}` : ''}${config.caFile ? `; TLS trusted with ${config.caFile}` : ''}`,
      ...limits.notes,
  ];
  return {
    nodes,
    jwtSecret: secret,
    dependencies,
    hookRuns,
    notes,
    nodeFaults(name) {
      const node = nodes.find((n) => n.name === name);
      if (!node) return [];
      const faults: NemesisFault[] = [];
      const [kill, restart, pause, resume] = (['kill', 'restart', 'pause', 'resume'] as const).map((w) => hook(name, w));
      if (kill && restart) {
        faults.push({
          name: 'kill',
          start: async () => void (await kill()),
          heal: async () => {
            await restart();
            if ((await waitServing(node.url, performance.now() + SERVING_AFTER_RESTART_MS)) === undefined) {
              throw new Error(`${name} did not serve /health/socket within ${SERVING_AFTER_RESTART_MS} ms of its restart hook`);
            }
            await limits.afterRestart(node);
          },
        });
      }
      if (pause && resume) faults.push({ name: 'pause', start: async () => void (await pause()), heal: async () => void (await resume()) });
      return faults;
    },
    async close() {
      if (closed) return;
      closed = true;
      await dependencies?.stop();
      notes.push(...(await limits.restore()));
    },
  };
}
