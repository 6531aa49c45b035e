import { setTimeout as sleep } from 'node:timers/promises';
import { newRunId } from '../../../testbed/clients/chat-fleet.ts';
import { checkHistory, summarizeHistory } from '../../../testbed/history/history-check.ts';
import { HISTORY_READER_USER, readChannelHistory } from '../../../testbed/history/history-reader.ts';
import { tokenNow, type RunUser } from '../../../testbed/targets/token-source.ts';
import { LOAD_BALANCER_COVERAGE } from '../../deployment/local-deployment.ts';
import type { ProxiedDependencies } from '../../../testbed/services/proxied-dependencies.ts';
import { ackedAfter, firstAckAfter } from '../../fault-stream.ts';
import { recoveryBounds } from '../../nemesis/recovery.ts';
import { readRecoveryTimings } from '../../nemesis/target-timings.ts';
import { pause, type Scenario } from '../../scenario.ts';
import { doubtFigures } from '../../stream-verdict.ts';
import { checkDelivery } from './delivery-check.ts';
import { ANSWER_SLACK_MS, judgeFault, type FaultExpectation } from './fault-verdict.ts';
import { DeploymentWatch, waitRecovered, type NodeSample } from './node-watch.ts';
import { recoverThroughOperator, type OperatorRecovery } from './operator-recovery.ts';
import { operatorRecoveryFigures } from './operator-recovery-verdict.ts';
import { SendProbe } from './send-probe.ts';
import { startTwoNodeStream } from './two-node-stream.ts';

/** A fault on one of the deployment's dependencies, put in place through the Toxiproxy API and healed by healAll(). */
export interface DependencyFault {
  /** One line for the output: what is done, e.g. "redis cut (proxy disabled)". */
  describe: string;
  apply(deps: ProxiedDependencies): Promise<void>;
  expect: FaultExpectation;
}

/** A dependency scenario as the runner and the report know it: how it runs, what it proves, by which rules. */
export interface DependencyScenario {
  run: Scenario;
  /** The fault it puts in place (the nemesis plays the same faults in its schedules). */
  fault: DependencyFault;
  title: string;
  rules: string[];
}

/**
 * How long the runner waits at least, after a heal, for the nodes to be healthy again; longer when the target's
 * own recovery bound is (a staging breaker reset of 30 s). The verdict holds them to that bound (nemesis/recovery.ts).
 */
const HEALTHY_AGAIN_WITHIN_MS = 15_000;
/** How long receivers may take, after the stream drained, to have every acked message (held sends flushed). */
const DELIVERED_WITHIN_MS = 5_000;
/** Before the fault, the deployment must be healthy (else the scenario could not judge anything). */
const HEALTHY_BEFORE_WITHIN_MS = 15_000;
/**
 * Operator recovery (BRK-5): how much longer than `cutMs` the fault may stay on while waiting for every store
 * breaker to be open with half its reset timeout to go (a breaker re-opens at most a reset timeout later).
 */
const OPEN_TOGETHER_WITHIN_MS = 20_000;

/**
 * A dependency scenario: clients on every node stream on one channel (a send probe on the first node keeps
 * the raw answers) for `phaseMs`, the fault lasts `cutMs`, then it is healed and the stream goes on until every
 * node is healthy and for another `phaseMs`. Judged by fault-verdict.ts from the history, what every client
 * received, the probe's answers and the nodes' health and breakers sampled every 200 ms.
 */
export function dependencyScenario(fault: DependencyFault): Pick<DependencyScenario, 'run' | 'fault'> {
  const run: Scenario = async (ctx) => {
    const deployment = ctx.deployment;
    if (!deployment) return { verdict: 'unimplemented', reason: ctx.deploymentMissing ?? 'needs a deployment on Redis and PostgreSQL behind a fault proxy', figures: {} };
    const o = ctx.options;
    const deps = deployment.dependencies;
    const before = await waitRecovered(deployment.nodes, performance.now() + HEALTHY_BEFORE_WITHIN_MS);
    const unready = Object.entries(before).filter(([, at]) => at === undefined).map(([n]) => n);
    if (unready.length > 0) return { verdict: 'inconclusive', reason: `not healthy before the fault: ${unready.join(', ')}`, figures: {} };

    // Judged by the target's own timings: its breaker reset from GET /spec, the rest as set or SPEC.md's defaults.
    const bounds = recoveryBounds(await readRecoveryTimings(deployment.nodes, deps.targetEnv, deployment.timings));
    const runId = newRunId('dep');
    // Operator recovery: one idle sender per node, for the send right after its recovery.
    const senderNames = fault.expect.operatorRecovery ? deployment.nodes.map((_, i) => `op${i}-${runId}`.slice(0, 128)) : [];
    const stream = await startTwoNodeStream(deployment, o, runId, [`probe-${runId}`.slice(0, 128), HISTORY_READER_USER, ...senderNames]);
    const [probeUser, reader, ...senderUsers] = stream.others as [RunUser, RunUser, ...RunUser[]];
    const first = deployment.nodes[0]!;
    const probe = new SendProbe(first.url, () => tokenNow(probeUser), probeUser.sub, stream.channelId);
    const senders = senderUsers.map((u, i) => new SendProbe(deployment.nodes[i]!.url, () => tokenNow(u), u.sub, stream.channelId));
    let operator: OperatorRecovery | undefined;
    const watch = new DeploymentWatch(deployment.nodes);
    let faultAt = 0;
    let healAt = 0;
    let healthyAt: Record<string, number | undefined> = {};
    try {
      await probe.open();
      await Promise.all(senders.map((s) => s.open()));
      probe.start();
      await pause(o.phaseMs, ctx.signal);
      faultAt = performance.now();
      await fault.apply(deps);
      ctx.say(`  ${fault.describe} for ${o.cutMs} ms`);
      await pause(o.cutMs, ctx.signal);
      if (fault.expect.operatorRecovery) {
        operator = await recoverThroughOperator(deployment.nodes, senders, deployment.tokens, () => deps.healAll(), performance.now() + OPEN_TOGETHER_WITHIN_MS, ctx.signal);
        healAt = operator.healAt;
        ctx.say(`  healed, then POST /admin/socket/recovery on ${operator.judged ? 'every node' : 'no node (not judged)'}`);
      } else {
        await deps.healAll();
        healAt = performance.now();
        ctx.say('  healed');
      }
      healthyAt = await waitRecovered(deployment.nodes, healAt + Math.max(HEALTHY_AGAIN_WITHIN_MS, bounds.healthyMs + 5_000));
      await pause(o.phaseMs, ctx.signal);
    } catch (err) {
      stream.close();
      await Promise.all([watch.stop(), deps.healAll().catch(() => undefined)]);
      throw err;
    } finally {
      await Promise.all([probe.stop(), ...senders.map((s) => s.stop())]);
    }
    stream.stream.stop();
    const records = await stream.stream.finished;
    const acked = [...records.flatMap((r) => (r.acked ? [r.acked] : [])), ...probe.acked, ...senders.flatMap((s) => s.acked)];
    const nodeOf = new Map([...stream.clients.map((c): [string, string] => [c.client.opts.userId, c.node]), ...senderUsers.map((u, i): [string, string] => [u.sub, deployment.nodes[i]!.name])]);
    // Live delivery is owed for a message acked on its first attempt: that attempt stored and broadcast it. One
    // acked by a retry may have been stored by an earlier attempt answered UNAVAILABLE or lost, and MSG-4 has
    // the retry broadcast nothing: connected clients get such a message from history (chaos/README.md).
    const firstAttempt = [...records.flatMap((r) => (r.acked && r.attempts === 1 ? [r.acked] : [])), ...probe.acked, ...senders.flatMap((s) => s.acked)];
    const ackedOn = firstAttempt.map((a) => ({ id: a.id, node: nodeOf.get(a.authorId) ?? first.name }));
    // Held cross-node sends go out after the heal: give the receivers a bounded moment to have them all.
    const deliveredBy = performance.now() + DELIVERED_WITHIN_MS;
    let delivery = checkDelivery(ackedOn, stream.receivers());
    while (delivery.missing.length > 0 && performance.now() < deliveredBy) {
      await sleep(200);
      delivery = checkDelivery(ackedOn, stream.receivers());
    }
    stream.close();
    const samples = await watch.stop();
    const history = checkHistory(acked, await readChannelHistory(first.url, tokenNow(reader), stream.channelId, acked.length + records.length + 1_000));
    const doubt = doubtFigures(records);
    const during = samples.filter((s) => s.at >= faultAt && s.at <= healAt);
    const afterHeal = samples.filter((s) => s.at > healAt);
    const healToHealthyMs = Object.fromEntries(deployment.nodes.map((n) => [n.name, healthyAt[n.name] === undefined ? null : Math.max(0, Math.round(healthyAt[n.name]! - healAt))]));
    const probesDuring = probe.answers.filter((p) => p.at >= faultAt && p.at <= healAt);
    const healToFirstAckMs = firstAckAfter(records, healAt);
    const { verdict, reason } = judgeFault(fault.expect, {
      nodes: deployment.nodes.map((n) => n.name),
      history,
      doubt,
      delivery,
      ackedAfterHeal: ackedAfter(records, healAt),
      during,
      afterHeal,
      probesDuring,
      healToHealthyMs,
      healToFirstAckMs,
      bounds,
      // A send waits at most the target's own dependency timeout (as GET /spec, the runner or SPEC.md's defaults give it).
      answerBoundMs: bounds.timings ? bounds.timings.DEPENDENCY_TIMEOUT_MS.ms + ANSWER_SLACK_MS : undefined,
      operatorRecovery: operator,
    });
    return {
      verdict,
      // Through a load balancer "every node" is every look at it: the reason says so rather than claim each node.
      reason: deployment.viaLoadBalancer ? `${reason} (through a load balancer: one node per look, not each node)` : reason,
      figures: {
        ...(deployment.viaLoadBalancer ? { coverage: `load balancer: ${LOAD_BALANCER_COVERAGE}` } : {}),
        ...doubt,
        faultMs: Math.round(healAt - faultAt),
        healToFirstAckMs,
        recoveryBounds: { healthyMs: bounds.healthyMs, firstAckMs: bounds.firstAckMs, basis: bounds.basis },
        healToHealthyMs,
        ...(operator ? { operatorRecovery: operatorRecoveryFigures(operator) } : {}),
        probes: answersByCode(probesDuring),
        healthDuring: healthSeen(during),
        breakersDuring: breakerStatesSeen(during),
        breakersAfterHeal: breakerStatesSeen(afterHeal),
        crossNode: crossNodeFigures(samples),
        delivery: { receivers: delivery.receivers, excluded: delivery.excluded, missing: delivery.missing.reduce((n, m) => n + m.count, 0), outOfOrder: delivery.outOfOrder.reduce((n, x) => n + x.count, 0), repeats: delivery.repeats },
      },
      history: summarizeHistory(history),
    };
  };
  return { fault, run };
}

function answersByCode(answers: readonly { ok: boolean; code: string | undefined }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) out[a.ok ? 'ok' : (a.code ?? '?')] = (out[a.ok ? 'ok' : (a.code ?? '?')] ?? 0) + 1;
  return out;
}

/** Per node, the health answers seen, e.g. {"node-1": ["healthy", "degraded"]}. */
function healthSeen(samples: readonly NodeSample[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of samples) {
    const seen = (out[s.node] ??= []);
    const status = s.health?.status ?? `no answer${s.httpStatus ? ` (${s.httpStatus})` : ''}`;
    if (!seen.includes(status)) seen.push(status);
  }
  return out;
}

/** Per breaker, the states seen on any node, in the order first seen. */
function breakerStatesSeen(samples: readonly NodeSample[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of samples) {
    for (const [name, b] of Object.entries(s.breakers ?? {})) {
      const seen = (out[name] ??= []);
      if (!seen.includes(b.state)) seen.push(b.state);
    }
  }
  return out;
}

/** DEG-2 figures over the scenario: the most sends held at once on a node, and sends dropped and flushed (summed over nodes). */
function crossNodeFigures(samples: readonly NodeSample[]): { maxBuffered: number; dropped: number; flushed: number } {
  let maxBuffered = 0;
  const first = new Map<string, { dropped: number; flushed: number }>();
  const last = new Map<string, { dropped: number; flushed: number }>();
  for (const s of samples) {
    if (!s.crossNode) continue;
    maxBuffered = Math.max(maxBuffered, s.crossNode.buffered);
    if (!first.has(s.node)) first.set(s.node, s.crossNode);
    last.set(s.node, s.crossNode);
  }
  let dropped = 0;
  let flushed = 0;
  for (const [node, end] of last) {
    dropped += end.dropped - first.get(node)!.dropped;
    flushed += end.flushed - first.get(node)!.flushed;
  }
  return { maxBuffered, dropped, flushed };
}
