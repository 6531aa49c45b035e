import { startStream, type MessageStream } from '../../../testbed/clients/message-stream.ts';
import { StreamClient } from '../../../testbed/clients/stream-client.ts';
import { createRunChannel } from '../../../testbed/targets/target-http.ts';
import type { Deployment } from '../../deployment/local-deployment.ts';
import { CHAOS_ACK_TIMEOUT_MS } from '../../fault-stream.ts';
import type { ChaosOptions } from '../../scenario.ts';
import { streamUsersPerNode } from '../../scenario-users.ts';
import type { ReceiverLog } from './delivery-check.ts';
import type { RunUser } from '../../../testbed/targets/token-source.ts';

/** A streaming client of the run and the node it is connected to, with every `message:new` id it received. */
export interface NodeClient {
  client: StreamClient;
  node: string;
  arrivals: string[];
}

/**
 * The run's users spread over the deployment's nodes (at least two per node, so that each node has a
 * receiver besides every author), all on one fresh channel, streaming with retries (as fault-stream.ts).
 */
export interface TwoNodeStream {
  channelId: string;
  clients: NodeClient[];
  stream: MessageStream;
  /** The scenario's other users (its probe, the history reader), issued with the stream's, in the order asked. */
  others: RunUser[];
  receivers(): ReceiverLog[];
  close(): void;
}

/** `alsoIssue`: the scenario's other users (its probe, the history reader), issued and relaxed with the stream's in one step. */
export async function startTwoNodeStream(deployment: Deployment, options: ChaosOptions, runId: string, alsoIssue: readonly string[] = []): Promise<TwoNodeStream> {
  const channelId = `sp-${runId}`.slice(0, 64);
  const first = deployment.nodes[0]!;
  await createRunChannel({ url: first.url, tokens: deployment.tokens }, channelId);
  const perNode = streamUsersPerNode(options.clients, deployment.nodes.length);
  // Tokens first: a source of supplied tokens decides who the users are (their subs), then they are admitted.
  const users: RunUser[][] = [];
  for (const n of deployment.nodes.keys()) {
    const onNode: RunUser[] = [];
    for (let i = 0; i < perNode; i++) onNode.push(await deployment.tokens.user({ sub: `u${n}x${i}-${runId}`.slice(0, 128), ttlSec: 7_200 }));
    users.push(onNode);
  }
  const others: RunUser[] = [];
  for (const sub of alsoIssue) others.push(await deployment.tokens.user({ sub, ttlSec: 7_200 }));
  // FIX-4 on staging: the limits are relaxed for the run's users only, on every node, before they connect.
  await deployment.admit?.([...users.flat(), ...others].map((u) => u.sub));
  const clients: NodeClient[] = [];
  for (const [n, node] of deployment.nodes.entries()) {
    for (const { sub: userId, token, current } of users[n]!) {
      const arrivals: string[] = [];
      const client = new StreamClient({
        url: node.url,
        token: current ?? token,
        userId,
        channelId,
        reconnect: true,
        ackTimeoutMs: CHAOS_ACK_TIMEOUT_MS,
        onMessageNew: (msg) => {
          const id = (msg as { id?: unknown }).id;
          if (typeof id === 'string') arrivals.push(id);
        },
      });
      clients.push({ client, node: node.name, arrivals });
    }
  }
  const close = () => clients.forEach((c) => c.client.close());
  const deadline = performance.now() + 30_000;
  try {
    await Promise.all(clients.map((c) => c.client.open(deadline)));
  } catch (err) {
    close();
    throw err;
  }
  const stream = startStream(
    clients.map((c) => c.client),
    { runId, ratePerClient: options.rate, maxMessages: options.maxMessages, retry: true, drainTimeoutMs: options.drainMs },
  );
  return {
    channelId,
    clients,
    stream,
    others,
    receivers: () => clients.map((c) => ({ name: c.client.opts.userId, node: c.node, arrivals: [...c.arrivals], disconnected: c.client.disconnects > 0 })),
    close,
  };
}
