import type { ConfiguredTimings } from '../nemesis/target-timings.ts';
import { randomBytes } from 'node:crypto';
import { redactUrlsIn } from '../../spec/redact.ts';
import { postgresAvailability, redisAvailability } from '../../testbed/services/index.ts';
import { ProxiedDependencies } from '../../testbed/services/proxied-dependencies.ts';
import { relaxLimits } from '../../testbed/targets/target-http.ts';
import { RELAXED_RATE_LIMITS, TargetProcess, type TargetCommand } from '../../testbed/targets/target-process.ts';
import { hs256TokenSource, type TokenSource } from '../../testbed/targets/token-source.ts';

/** One node of a deployment: where its clients connect, and its process when the runner started it. */
export interface DeploymentNode {
  name: string;
  url: string;
  process: TargetProcess | undefined;
}

/**
 * Several chat nodes on shared Redis and PostgreSQL whose connections run through a Toxiproxy API: what the
 * dependency scenarios fault. Locally the runner starts all of it; the nodes share one JWT secret.
 */
export interface Deployment {
  nodes: DeploymentNode[];
  /** Mints the tokens its nodes accept: the run's users', its history reader's, the runner's admin token. */
  tokens: TokenSource;
  /**
   * Relaxes the limits for these users of the run before they connect (FIX-4, where the runner did not start
   * the nodes: staging); absent where the runner started them with relaxed limits.
   */
  admit?: (userIds: readonly string[]) => Promise<void>;
  dependencies: ProxiedDependencies;
  /** Timings GET /spec does not publish, as the operator's config names them (staging; target-timings.ts). */
  timings?: ConfiguredTimings | undefined;
  /**
   * The one node is a load balancer (staging's `loadBalancer`): each look through it (a health sample, a
   * client's connection) reaches one node behind it, whichever it picks, so no figure covers each node.
   */
  viaLoadBalancer?: boolean;
  /** What the deployment is, for the run's notes (URLs redacted). */
  notes: string[];
  /** Stops the nodes, the proxy and the services (idempotent). */
  close(): Promise<void>;
}

/** What a run through one load balancer URL can and cannot see: said in its notes and in each dependency scenario's figures. */
export const LOAD_BALANCER_COVERAGE =
  "each health sample and client connection reaches one node behind it, whichever it picks, labelled lb: judged is what users behind it see, not each node's health, breakers or cross-node delivery; no node hooks (kill, pause)";

/** Why a local deployment cannot be started here (Redis or PostgreSQL binaries missing), or undefined. */
export async function localDeploymentUnavailable(): Promise<string | undefined> {
  const [redis, postgres] = await Promise.all([redisAvailability({ needsControl: true }), postgresAvailability({ needsControl: true })]);
  const missing = [redis.skip, postgres.skip].filter((s): s is string => s !== undefined);
  return missing.length > 0 ? missing.join('; ') : undefined;
}

/**
 * Throw-away Redis and PostgreSQL behind the fault proxy, and `nodes` servers started together on them with
 * `command` (the reference server, or --server-cmd): each gets REDIS_URL and DATABASE_URL through the proxy,
 * the short dependency timings (DEPENDENCY_TIMINGS), NODE_ID, and relaxed limits for the run's own users.
 */
export async function startLocalDeployment(command: TargetCommand, nodes = 2): Promise<Deployment> {
  const dependencies = await ProxiedDependencies.start(['redis', 'postgres'], 'chaos deployment');
  const jwtSecret = command.jwtSecret ?? randomBytes(36).toString('base64url');
  const tokens = hs256TokenSource(jwtSecret);
  const started = await Promise.allSettled(
    Array.from({ length: nodes }, (_, i) =>
      TargetProcess.start({ ...command, jwtSecret, env: { ...command.env, ...dependencies.targetEnv, NODE_ID: `node-${i + 1}` } }),
    ),
  );
  const processes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const close = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await dependencies.stop();
  };
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  try {
    if (failed) throw new Error(`a node of the local deployment did not start: ${(failed.reason as Error).message}`);
    for (const p of processes) {
      const relax = () => relaxLimits({ url: p.url, tokens }, RELAXED_RATE_LIMITS);
      await relax();
      p.afterRestart.push(relax);
    }
  } catch (err) {
    await close();
    throw err;
  }
  const deploymentNodes = processes.map((p, i) => ({ name: `node-${i + 1}`, url: p.url, process: p }));
  return {
    nodes: deploymentNodes,
    tokens,
    dependencies,
    notes: [
      `deployment: ${nodes} nodes (${deploymentNodes.map((n) => `${n.name} ${n.url}`).join(', ')}) started by the runner on throw-away Redis and PostgreSQL behind the fault proxy; node env ${redactUrlsIn(JSON.stringify(dependencies.targetEnv))}`,
    ],
    close,
  };
}
