import { randomBytes } from 'node:crypto';
import { tokenNow, type RunUser } from '../targets/token-source.ts';
import { checkHistory, type HistoryVerdict } from '../history/history-check.ts';
import { HISTORY_READER_USER, readChannelHistory } from '../history/history-reader.ts';
import type { HistoryRecorder } from '../history/recorder.ts';
import type { SendRecord } from './message-stream.ts';
import { ACK_TIMEOUT_MS } from '../run-bounds.ts';
import { StreamClient } from './stream-client.ts';
import { createRunChannel, type TargetAccess } from '../targets/target-http.ts';
import type { TargetTls } from '../fault-proxy/target-tls.ts';

/** Fan-out samples kept at most (the rest are counted, not stored). */
const MAX_FANOUT_SAMPLES = 200_000;

/** A short id that names one run's channel, users and clientMsgIds. */
export function newRunId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export interface FleetOptions {
  runId: string;
  clients: number;
  reconnect: boolean;
  ackTimeoutMs?: number;
  /** Where the clients connect (a fault proxy in front of the target); the target itself by default. */
  clientUrl?: string;
  /** With a `clientUrl` in front of an https target (FaultLink.clientTls): the target's TLS name. */
  clientTls?: TargetTls | undefined;
  /** Several entry points (the nodes of a cluster): client i connects to clientUrls[i % length]. Wins over clientUrl. */
  clientUrls?: readonly string[];
  connectTimeoutMs?: number;
  /** Records every client's joins, send attempts and deliveries (a chaos run's history). */
  recorder?: HistoryRecorder;
}

/** The run's clients on one fresh channel, with fan-out latency measured at every receiver. */
export interface Fleet {
  channelId: string;
  clients: StreamClient[];
  /** Send to `message:new` at a client other than the author, ms. */
  fanoutMs: number[];
  fanoutSeen: number;
  /** The user the channel's history is read back as (issued and admitted with the clients' users). */
  reader: RunUser;
  /** Disconnects seen so far, over all clients. */
  disconnects(): number;
  close(): void;
}

export async function openFleet(target: TargetAccess, opts: FleetOptions): Promise<Fleet> {
  const channelId = `sp-${opts.runId}`.slice(0, 64);
  await createRunChannel(target, channelId);
  const lastAttempt = new Map<string, number>();
  // Tokens first: a source of supplied tokens decides who the users are (their subs), then they are admitted.
  const users: RunUser[] = [];
  for (let i = 0; i < opts.clients; i++) users.push(await target.tokens.user({ sub: `u${i}-${opts.runId}`.slice(0, 128), ttlSec: 7_200 }));
  const reader = await target.tokens.user({ sub: HISTORY_READER_USER, ttlSec: 7_200 });
  const fleet: Fleet = {
    channelId,
    reader,
    clients: [],
    fanoutMs: [],
    fanoutSeen: 0,
    disconnects: () => fleet.clients.reduce((n, c) => n + c.disconnects, 0),
    close: () => fleet.clients.forEach((c) => c.close()),
  };
  const urls = opts.clientUrls?.length ? opts.clientUrls : [opts.clientUrl ?? target.url];
  // FIX-4: on a target the runner did not start, the limits are relaxed for these users only, before they connect.
  await target.admit?.([...users.map((u) => u.sub), reader.sub]);
  for (const [i, { sub: userId, token, current }] of users.entries()) {
    fleet.clients.push(
      new StreamClient({
        url: urls[i % urls.length]!,
        ...(opts.clientTls && !opts.clientUrls?.length ? { tls: opts.clientTls } : {}),
        token: current ?? token,
        userId,
        channelId,
        reconnect: opts.reconnect,
        ackTimeoutMs: opts.ackTimeoutMs ?? ACK_TIMEOUT_MS,
        ...(opts.recorder ? { recorder: opts.recorder } : {}),
        onAttempt: (id, at) => lastAttempt.set(id, at),
        onMessageNew: (msg, at) => {
          if (msg.authorId === userId || typeof msg.clientMsgId !== 'string') return;
          const sent = lastAttempt.get(msg.clientMsgId);
          if (sent === undefined) return;
          fleet.fanoutSeen++;
          if (fleet.fanoutMs.length < MAX_FANOUT_SAMPLES) fleet.fanoutMs.push(at - sent);
        },
      }),
    );
  }
  const deadline = performance.now() + (opts.connectTimeoutMs ?? 30_000);
  try {
    await Promise.all(fleet.clients.map((c) => c.open(deadline)));
  } catch (err) {
    fleet.close();
    throw err;
  }
  return fleet;
}

/** Reads the channel's history and checks every acked send of `records` is stored exactly once. */
export async function verifyExactlyOnce(target: { url: string }, fleet: Pick<Fleet, 'channelId' | 'reader'>, records: readonly SendRecord[]): Promise<HistoryVerdict> {
  const acked = records.flatMap((r) => (r.acked ? [r.acked] : []));
  const history = await readChannelHistory(target.url, tokenNow(fleet.reader), fleet.channelId, records.length + 1_000);
  return checkHistory(acked, history);
}

/** Failed sends counted by code. */
export function errorsByCode(records: readonly SendRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) if (r.outcome === 'failed') out[r.code ?? 'UNKNOWN'] = (out[r.code ?? 'UNKNOWN'] ?? 0) + 1;
  return out;
}
