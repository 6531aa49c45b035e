import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { HealthResponse, HTTP_PATHS, Message, SocketMetrics } from '../spec/index.ts';
import type { TokenSource } from '../testbed/targets/token-source.ts';
import { ChatClient } from '../testbed/clients/chat-client.ts';

/** What the fuzzer watches between batches: the server's own figures. */
export interface ServerFigures {
  circuitBreakerTrips: number;
  rssBytes: number;
}

/** Figures from GET /metrics/socket (MET-1). */
export async function serverFigures(url: string): Promise<ServerFigures> {
  const res = await fetch(`${url}${HTTP_PATHS.socketMetrics}`, { signal: AbortSignal.timeout(5_000) });
  const metrics = SocketMetrics.parse(await res.json());
  return { circuitBreakerTrips: metrics.circuitBreakerTrips, rssBytes: metrics.memory.rssBytes };
}

const SendAck = z.object({ ok: z.literal(true), data: Message });

/** ACK-7: another user's send is answered within 5 s. */
const PROBE_ACK_TIMEOUT_MS = 5_000;

/**
 * Is the server still serving other users as the spec says, after a batch of hostile frames? Health answers
 * 200 `healthy` (a client's frames never degrade it), no breaker opened since the run began (BRK: a client's
 * mistake is never a dependency failure), and a fresh user connects, joins and gets an ack of the right
 * shape for a send within 5 s. Returns what is wrong, or undefined.
 */
export async function livenessProblem(target: { url: string; tokens: TokenSource; channelId: string }, baseline: ServerFigures): Promise<string | undefined> {
  let health: Response;
  try {
    health = await fetch(`${target.url}${HTTP_PATHS.health}`, { signal: AbortSignal.timeout(5_000) });
  } catch (err) {
    return `GET ${HTTP_PATHS.health} failed: ${(err as Error).message}`;
  }
  const body = HealthResponse.safeParse(await health.json().catch(() => undefined));
  if (health.status !== 200 || !body.success || body.data.status !== 'healthy') {
    return `GET ${HTTP_PATHS.health} answered ${health.status} ${body.success ? body.data.status : 'without a HealthResponse'}`;
  }
  const now = await serverFigures(target.url).catch((err: Error) => err);
  if (now instanceof Error) return `GET ${HTTP_PATHS.socketMetrics} failed: ${now.message}`;
  if (now.circuitBreakerTrips > baseline.circuitBreakerTrips) return `a circuit breaker opened (circuitBreakerTrips ${baseline.circuitBreakerTrips} → ${now.circuitBreakerTrips}): client input counted as a dependency failure`;

  const sub = `fuzz-probe-${randomBytes(4).toString('hex')}`;
  let probe: ChatClient | undefined;
  try {
    probe = await ChatClient.connect(target.url, (await target.tokens.user({ sub, roles: ['member'], ttlSec: 3_600 })).token);
    const joined = await probe.call('channel:join', { channelId: target.channelId }, PROBE_ACK_TIMEOUT_MS);
    if (!joined.ok) return `another user's channel:join answered ${joined.error.code}`;
    const sent = SendAck.safeParse(await probe.call('message:send', { channelId: target.channelId, text: 'still serving?', clientMsgId: sub }, PROBE_ACK_TIMEOUT_MS));
    if (!sent.success) return `another user's message:send was not acked with a Message: ${sent.error.issues[0]?.message}`;
    return undefined;
  } catch (err) {
    return `another user could not connect, join and send within ${PROBE_ACK_TIMEOUT_MS} ms each: ${(err as Error).message}`;
  } finally {
    probe?.close();
  }
}
