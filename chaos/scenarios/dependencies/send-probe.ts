import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';
import type { AckedSend } from '../../../testbed/history/history-check.ts';

/** One single-attempt `message:send` as the node answered it: what DEG-3 and BRK-4 judge. */
export interface ProbeAnswer {
  /** performance.now() when sent. */
  at: number;
  ms: number;
  ok: boolean;
  /** The error code, `TIMEOUT` when unanswered. */
  code: string | undefined;
  retryAfterMs: number | undefined;
}

const PROBE_EVERY_MS = 300;
const PROBE_TIMEOUT_MS = 6_000;

/**
 * A user of its own on one node that sends one message every 300 ms without retrying, and keeps each raw
 * answer (the streaming clients retry, so they never show an `UNAVAILABLE` with its `retryAfterMs`).
 * Its acked messages join the history check: an ok answer is a promise that the message is stored.
 */
export class SendProbe {
  readonly answers: ProbeAnswer[] = [];
  readonly acked: AckedSend[] = [];
  private readonly socket: Socket;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  /**
   * @param token the token each handshake presents; a function gives the user's freshest (supplied tokens
   *   refreshed during the run), and a session the server ends at its token's exp (AUTH-5) connects again with it.
   */
  constructor(
    url: string,
    token: string | (() => string),
    private readonly userId: string,
    private readonly channelId: string,
  ) {
    const auth = typeof token === 'string' ? { token } : (cb: (data: object) => void) => cb({ token: token() });
    this.socket = io(url, { auth, transports: ['websocket'], forceNew: true, reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 1_000 });
    let tokenExpired = false;
    this.socket.on('session:ended', (ended: { code?: unknown } | undefined) => {
      tokenExpired = ended?.code === 'UNAUTHORIZED';
    });
    this.socket.on('disconnect', (reason) => {
      // socket.io does not reconnect a session the server ended; with a fresh token at hand, the probe does.
      if (reason === 'io server disconnect' && tokenExpired && typeof token === 'function') setTimeout(() => this.socket.connect(), 100).unref();
    });
    // Every reconnection joins the run channel again, and the probe sends only once it has: a send from a
    // socket outside the channel is FORBIDDEN (MSG-1), and socket.io writes a send buffered while disconnected
    // before any 'connect' handler runs.
    this.socket.on('disconnect', () => {
      if (this.joined) this.inChannel = deferred();
    });
    this.socket.on('connect', () => {
      if (!this.joined) return;
      const rejoined = this.inChannel;
      void this.socket.timeout(PROBE_TIMEOUT_MS).emitWithAck('channel:join', { channelId: this.channelId }).then(() => rejoined.resolve(), () => rejoined.resolve());
    });
  }

  private joined = false;
  /** Settled while the probe's socket is in the run channel; a fresh one from each disconnect to the rejoin. */
  private inChannel = deferred();

  async open(): Promise<void> {
    if (!this.socket.connected) await new Promise<void>((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      setTimeout(() => reject(new Error('the send probe could not connect')), 10_000).unref();
    });
    const ack = (await this.socket.timeout(PROBE_TIMEOUT_MS).emitWithAck('channel:join', { channelId: this.channelId })) as { ok?: boolean };
    if (!ack?.ok) throw new Error('the send probe could not join the run channel');
    this.joined = true;
    this.inChannel.resolve();
  }

  /** Probes from now until stop(). */
  start(): void {
    this.running = true;
    this.loop = (async () => {
      for (let n = 0; this.running; n++) {
        await this.probe(`probe-${this.userId}-${n}`);
        await sleep(PROBE_EVERY_MS);
      }
    })();
  }

  /** One send now, outside the loop (the operator-recovery scenario's send right after the recovery): its answer, also kept in `answers`. */
  async sendOnce(clientMsgId: string): Promise<ProbeAnswer> {
    await this.probe(clientMsgId);
    return this.answers.at(-1)!;
  }

  private async probe(clientMsgId: string): Promise<void> {
    const at = performance.now();
    // Disconnected: the send waits for the rejoin, within the probe's own timeout (past it: TIMEOUT, as unanswered).
    const back = this.inChannel.settled || (await Promise.race([this.inChannel.promise.then(() => true), sleep(PROBE_TIMEOUT_MS, false, { ref: false })]));
    if (!back) {
      this.answers.push({ at, ms: Math.round(performance.now() - at), ok: false, code: 'TIMEOUT', retryAfterMs: undefined });
      return;
    }
    let answer: { ok?: boolean; data?: { id?: unknown; seq?: unknown }; error?: { code?: string; retryAfterMs?: number } };
    try {
      answer = await this.socket.timeout(PROBE_TIMEOUT_MS).emitWithAck('message:send', { channelId: this.channelId, text: `sockproof ${clientMsgId}`, clientMsgId });
    } catch {
      this.answers.push({ at, ms: Math.round(performance.now() - at), ok: false, code: 'TIMEOUT', retryAfterMs: undefined });
      return;
    }
    const ms = Math.round(performance.now() - at);
    const ok = answer?.ok === true && typeof answer.data?.id === 'string' && typeof answer.data.seq === 'number';
    if (ok) this.acked.push({ authorId: this.userId, clientMsgId, id: answer.data!.id as string, seq: answer.data!.seq as number });
    this.answers.push({ at, ms, ok, code: ok ? undefined : (answer?.error?.code ?? 'MALFORMED'), retryAfterMs: answer?.error?.retryAfterMs });
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.socket.disconnect();
  }
}

/** A promise with its resolve, and whether it has been resolved. */
function deferred(): { promise: Promise<void>; resolve: () => void; readonly settled: boolean } {
  let settle!: () => void;
  const promise = new Promise<void>((r) => (settle = r));
  const d = {
    promise,
    settled: false,
    resolve: () => {
      d.settled = true;
      settle();
    },
  };
  return d;
}
