import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { BreakersResponse, HTTP_PATHS, RecoveryResponse, type BreakerStatus } from '../../../spec/index.ts';
import type { TokenSource } from '../../../testbed/targets/token-source.ts';
import type { DeploymentNode } from '../../deployment/local-deployment.ts';
import type { ProbeAnswer, SendProbe } from './send-probe.ts';

/**
 * What an operator does once the database is fixed (BRK-5): heal it, then POST /admin/socket/recovery on
 * every node instead of waiting for each store breaker's reset timeout, and send at once. The heal happens at
 * a moment when every node's store breaker is open with at least half its reset timeout still to go, so that
 * a send answered ok right after can only be the recovery's doing, not the breaker's own half-open trial.
 */

/** One node's part: its breaker before the heal, the recovery's answer, the breakers read back, the send right after. */
export interface NodeRecovery {
  node: string;
  /** performance.now() when the node would have half-opened its store breaker by itself (open `since` + `resetTimeoutMs`). */
  halfOpenAt: number;
  /** The store breaker's reset timeout as the node states it (BreakerStatus.policy). */
  resetTimeoutMs: number;
  /** performance.now() when the recovery was answered. */
  recoveredAt: number;
  /** HTTP status of POST /admin/socket/recovery (undefined: no answer). */
  status: number | undefined;
  /** The answer when it is a RecoveryResponse; `answerIssue` says why not otherwise. */
  answer: z.infer<typeof RecoveryResponse> | undefined;
  answerIssue?: string;
  /** GET /status/circuit-breakers right after the recovery (undefined: no valid answer). */
  readBack: Record<string, BreakerStatus> | undefined;
  /** The one send on this node right after the recovery, without retry. */
  send: ProbeAnswer;
}

export type OperatorRecovery =
  | { judged: true; healAt: number; nodes: NodeRecovery[] }
  /** The breakers were never all open with enough time to go: BRK-5 could not be judged (healed anyway). */
  | { judged: false; healAt: number; why: string };


const POLL_EVERY_MS = 50;
const ANSWER_WITHIN_MS = 5_000;

async function storeBreaker(node: DeploymentNode): Promise<BreakerStatus | undefined> {
  try {
    const res = await fetch(node.url + HTTP_PATHS.breakers, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    return BreakersResponse.safeParse(await res.json()).data?.breakers.store;
  } catch {
    return undefined;
  }
}

async function readBreakers(node: DeploymentNode): Promise<Record<string, BreakerStatus> | undefined> {
  try {
    const res = await fetch(node.url + HTTP_PATHS.breakers, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    return BreakersResponse.safeParse(await res.json()).data?.breakers;
  } catch {
    return undefined;
  }
}

/**
 * Per node, performance.now() of its own half-open time when every node's store breaker is open with at least
 * half its reset timeout to go; undefined when that was not seen by `deadline`. The node's `since` is its wall
 * clock (the same clock locally; on staging a skew between runner and node shifts it).
 */
export async function waitAllOpen(nodes: readonly DeploymentNode[], deadline: number, signal: AbortSignal): Promise<{ halfOpenAt: number[]; resetTimeoutMs: number[] } | undefined> {
  while (performance.now() < deadline && !signal.aborted) {
    const looks = await Promise.all(nodes.map(storeBreaker));
    const now = performance.now();
    const wall = Date.now();
    const toGo = looks.map((b) => (b?.state === 'open' ? Date.parse(b.since) + b.policy.resetTimeoutMs - wall : -1));
    if (looks.every((b, i) => b !== undefined && toGo[i]! >= b.policy.resetTimeoutMs / 2)) {
      return { halfOpenAt: toGo.map((t) => now + t), resetTimeoutMs: looks.map((b) => b!.policy.resetTimeoutMs) };
    }
    await sleep(POLL_EVERY_MS);
  }
  return undefined;
}

async function postRecovery(node: DeploymentNode, token: string): Promise<Pick<NodeRecovery, 'status' | 'answer' | 'answerIssue' | 'recoveredAt'>> {
  let status: number | undefined;
  try {
    const res = await fetch(node.url + HTTP_PATHS.recovery, { method: 'POST', headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    status = res.status;
    const text = await res.text();
    const recoveredAt = performance.now();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { status, answer: undefined, answerIssue: `not JSON: ${text.slice(0, 120)}`, recoveredAt };
    }
    const parsed = RecoveryResponse.safeParse(json);
    if (!parsed.success) return { status, answer: undefined, answerIssue: `not a RecoveryResponse: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`, recoveredAt };
    return { status, answer: parsed.data, recoveredAt };
  } catch (err) {
    return { status, answer: undefined, answerIssue: `no answer: ${(err as Error).message}`, recoveredAt: performance.now() };
  }
}

/**
 * Keeps the fault on until every store breaker is open with half its reset timeout to go (at most until
 * `deadline`), heals, asks every node to recover at once, then sends once on each node and reads its breakers
 * back. `senders[i]` is an open, joined, idle SendProbe on `nodes[i]`. Always heals, also when it cannot judge.
 */
export async function recoverThroughOperator(
  nodes: readonly DeploymentNode[],
  senders: readonly SendProbe[],
  tokens: TokenSource,
  heal: () => Promise<void>,
  deadline: number,
  signal: AbortSignal,
): Promise<OperatorRecovery> {
  const token = await tokens.admin();
  const open = await waitAllOpen(nodes, deadline, signal);
  await heal();
  const healAt = performance.now();
  if (!open) return { judged: false, healAt, why: 'the store breakers were never all open together with half their reset timeout to go' };
  const answers = await Promise.all(nodes.map((n) => postRecovery(n, token)));
  const sends = await Promise.all(senders.map((s, i) => s.sendOnce(`after-recovery-${i}-${Date.now()}`)));
  const readBack = await Promise.all(nodes.map(readBreakers));
  return {
    judged: true,
    healAt,
    nodes: nodes.map((n, i) => ({ node: n.name, halfOpenAt: open.halfOpenAt[i]!, resetTimeoutMs: open.resetTimeoutMs[i]!, ...answers[i]!, readBack: readBack[i], send: sends[i]! })),
  };
}
