import { setTimeout as sleep } from 'node:timers/promises';
import { BreakersResponse, HealthResponse, HTTP_PATHS, SocketMetrics } from '../../../spec/index.ts';
import type { DeploymentNode } from '../../deployment/local-deployment.ts';
import { allClosed } from './fault-verdict.ts';

/** What one look at a node's health, breakers and cross-node figures showed (undefined: no valid answer). */
export interface NodeSample {
  node: string;
  /** performance.now() of the look. */
  at: number;
  httpStatus: number | undefined;
  health: HealthResponse | undefined;
  breakers: BreakersResponse['breakers'] | undefined;
  crossNode: SocketMetrics['crossNode'];
}

const SAMPLE_EVERY_MS = 200;
const ANSWER_WITHIN_MS = 2_000;

async function getJson(url: string): Promise<{ status: number; body: unknown } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    return { status: res.status, body: await res.json() };
  } catch {
    return undefined;
  }
}

export async function sampleNode(node: DeploymentNode): Promise<NodeSample> {
  const at = performance.now();
  const [health, breakers, metrics] = await Promise.all([
    getJson(node.url + HTTP_PATHS.health),
    getJson(node.url + HTTP_PATHS.breakers),
    getJson(node.url + HTTP_PATHS.socketMetrics),
  ]);
  return {
    node: node.name,
    at,
    httpStatus: health?.status,
    health: HealthResponse.safeParse(health?.body).data,
    breakers: BreakersResponse.safeParse(breakers?.body).data?.breakers,
    crossNode: SocketMetrics.safeParse(metrics?.body).data?.crossNode,
  };
}

/** Samples every node of the deployment every 200 ms until stopped: the evidence for HLTH-2, BRK-2 and DEG-2/5. */
export class DeploymentWatch {
  readonly samples: NodeSample[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly nodes: readonly DeploymentNode[]) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.samples.push(...(await Promise.all(this.nodes.map(sampleNode))));
      await sleep(SAMPLE_EVERY_MS);
    }
  }

  async stop(): Promise<NodeSample[]> {
    this.running = false;
    await this.loop;
    return this.samples;
  }
}

/**
 * Polls until every node has recovered: it answers `healthy` and every breaker of it is closed (BRK-2, DEG-5).
 * Health may be back before a breaker is: a breaker closes only after its reset timeout and a good trial call,
 * and a dependency's client may still be in its reconnect backoff when the link that health watches is up.
 * Per node the performance.now() when it first had, or undefined by the deadline.
 */
export async function waitRecovered(nodes: readonly DeploymentNode[], deadline: number): Promise<Record<string, number | undefined>> {
  const healthyAt: Record<string, number | undefined> = Object.fromEntries(nodes.map((n) => [n.name, undefined]));
  while (performance.now() < deadline && nodes.some((n) => healthyAt[n.name] === undefined)) {
    const samples = await Promise.all(nodes.filter((n) => healthyAt[n.name] === undefined).map(sampleNode));
    for (const s of samples) if (s.health?.status === 'healthy' && allClosed(s)) healthyAt[s.node] = s.at;
    await sleep(100);
  }
  return healthyAt;
}
