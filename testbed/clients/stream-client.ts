import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';
import { ErrorCode, HISTORY_MAX_LIMIT } from '../../spec/index.ts';
import type { AckedSend } from '../history/history-check.ts';
import type { HistoryRecorder } from '../history/recorder.ts';
import type { TargetTls } from '../fault-proxy/target-tls.ts';
import { targetTlsOptions } from './target-tls-options.ts';
import { SeenSeqs } from './seen-seqs.ts';

/**
 * One chat user over a real Socket.IO connection, as a load or chaos run drives it: joins the run's channel
 * (again after every reconnect, since membership is per socket), sends messages with their clientMsgId and,
 * when asked to, retries an unanswered send with the same clientMsgId until it is acked (DUR-2).
 */

/** A send that got no answer (ack timeout or the socket dropped) is "in doubt": it may or may not be stored. */
export type SendFailure = ErrorCode | 'TIMEOUT' | 'DISCONNECTED' | 'GAVE_UP';

export type SendOutcome =
  | { ok: true; acked: AckedSend; attempts: number; inDoubt: boolean; firstSentAt: number; lastSentAt: number; ackedAt: number }
  | { ok: false; code: SendFailure; attempts: number; inDoubt: boolean; firstSentAt: number };

export interface StreamClientOptions {
  url: string;
  /** When `url` is a fault proxy in front of an https target: the target's name for SNI, Host and the certificate. */
  tls?: TargetTls | undefined;
  /**
   * The token each handshake presents. A function: the user's freshest (supplied tokens refreshed during the
   * run): each reconnection takes it, and a session the server ends at its token's exp (AUTH-5) is connected
   * again with it, when `reconnect`.
   */
  token: string | (() => string);
  userId: string;
  channelId: string;
  /** Reconnect (socket.io backoff 100 ms .. 1 s) after the connection drops. */
  reconnect: boolean;
  ackTimeoutMs: number;
  /** Every `message:new` this client receives, with performance.now() at arrival. */
  onMessageNew?: (msg: { authorId?: unknown; clientMsgId?: unknown }, receivedAt: number) => void;
  /** Each attempt of a send, at performance.now() just before the emit. */
  onAttempt?: (clientMsgId: string, at: number) => void;
  /** Records every join, send attempt and delivery of this client in the run's history (chaos). */
  recorder?: HistoryRecorder;
}

/** The fields of a `message:new` (or history) message a delivery records. */
interface SeenMessage {
  id?: unknown;
  seq?: unknown;
  channelId?: unknown;
  authorId?: unknown;
  clientMsgId?: unknown;
}

/** Pages read back at most when catching up after a reconnect that did not recover the session. */
const CATCH_UP_MAX_PAGES = 20;

const RETRYABLE_WAIT_MAX_MS = 2_000;

/**
 * How long a gap in the seqs seen may stay before it is filled from history: across nodes a later message can
 * arrive before an earlier one (each node broadcasts what it stored), and a message stored by an attempt whose
 * answer was lost is broadcast by no one (MSG-4: the retry broadcasts nothing).
 */
const GAP_GRACE_MS = 500;

export class StreamClient {
  private readonly socket: Socket;
  private ready = false;
  private closed = false;
  private readonly waiters = new Set<() => void>();
  private lastError = '';
  private joinedOnce = false;
  /** Highest seq this client has seen of its channel: where a catch-up read after a reconnect starts. */
  private lastSeenSeq = 0;
  /** Seqs this client has (recorded runs): a gap in them is filled from history, as a client would. */
  private readonly had = new SeenSeqs();
  private gapFillPending = false;
  /** The server ended the session (its token expired, AUTH-5): the next join is recorded as after it. */
  private tokenExpired = false;
  disconnects = 0;
  /** Sessions the server ended at the token's exp and this client connected again with a fresh token. */
  tokenReconnects = 0;

  constructor(readonly opts: StreamClientOptions) {
    this.socket = io(opts.url, {
      auth: typeof opts.token === 'string' ? { token: opts.token } : (cb) => cb({ token: (opts.token as () => string)() }),
      transports: ['websocket'],
      reconnection: opts.reconnect,
      reconnectionDelay: 100,
      reconnectionDelayMax: 1_000,
      timeout: 5_000,
      forceNew: true,
      autoConnect: false,
      ...targetTlsOptions(opts.tls),
    });
    this.socket.on('connect', () => void this.join());
    this.socket.on('session:ended', (ended: { code?: unknown } | undefined) => {
      if (ended?.code === 'UNAUTHORIZED') this.tokenExpired = true;
    });
    this.socket.on('disconnect', (reason) => {
      this.ready = false;
      this.disconnects++;
      // socket.io does not reconnect a session the server ended; with a fresh token at hand, this client does.
      if (reason === 'io server disconnect' && this.tokenExpired && typeof opts.token === 'function' && opts.reconnect && !this.closed) {
        this.tokenReconnects++;
        setTimeout(() => !this.closed && this.socket.connect(), 100);
      }
    });
    this.socket.on('connect_error', (err: Error & { data?: { code?: string; retryAfterMs?: number } }) => {
      const code = err.data?.code ?? 'CONNECT_FAILED';
      this.lastError = `${code}: ${err.message}`;
      // A handshake refused by the server (not a transport failure) is not retried by socket.io itself.
      if (this.opts.reconnect && !this.closed && !this.socket.active) {
        setTimeout(() => !this.closed && this.socket.connect(), Math.min(err.data?.retryAfterMs ?? 500, RETRYABLE_WAIT_MAX_MS));
      }
    });
    this.socket.on('message:new', (msg: SeenMessage) => {
      const at = performance.now();
      // Broadcasts replayed by connection state recovery arrive before this client has re-joined.
      this.recordDelivery(msg ?? {}, this.socket.recovered && !this.ready ? 'recovery' : 'live', at);
      this.fillGapsSoon();
      opts.onMessageNew?.(msg ?? {}, at);
    });
  }

  private recordDelivery(msg: SeenMessage, via: 'live' | 'recovery' | 'history', at?: number): void {
    if (typeof msg.seq === 'number') {
      this.lastSeenSeq = Math.max(this.lastSeenSeq, msg.seq);
      this.had.add(msg.seq);
    }
    if (!this.opts.recorder || typeof msg.id !== 'string' || typeof msg.seq !== 'number' || typeof msg.authorId !== 'string' || typeof msg.clientMsgId !== 'string') return;
    const channelId = typeof msg.channelId === 'string' ? msg.channelId : this.opts.channelId;
    this.opts.recorder.deliver({ process: this.opts.userId, channelId, id: msg.id, seq: msg.seq, authorId: msg.authorId, clientMsgId: msg.clientMsgId, via }, at);
  }

  /**
   * After a reconnect that did not recover the session, reads back what was stored after `since` (newest page
   * first), as a client catching up would: those are deliveries `from history`.
   */
  private async catchUp(since: number, wanted: (seq: number) => boolean = () => true): Promise<void> {
    const missed: SeenMessage[] = [];
    let beforeSeq: number | undefined;
    for (let page = 0; page < CATCH_UP_MAX_PAGES && this.socket.connected; page++) {
      const ack = (await this.socket
        .timeout(this.opts.ackTimeoutMs)
        .emitWithAck('channel:history', { channelId: this.opts.channelId, limit: HISTORY_MAX_LIMIT, ...(beforeSeq !== undefined ? { beforeSeq } : {}) })
        .catch(() => undefined)) as { ok?: boolean; data?: { messages?: SeenMessage[] } } | undefined;
      const messages = ack?.ok ? (ack.data?.messages ?? []) : [];
      missed.unshift(...messages.filter((m) => typeof m.seq === 'number' && m.seq > since && wanted(m.seq)));
      const first = messages[0]?.seq;
      if (messages.length < HISTORY_MAX_LIMIT || typeof first !== 'number' || first <= since + 1) break;
      beforeSeq = first;
    }
    for (const m of missed) this.recordDelivery({ channelId: this.opts.channelId, ...m }, 'history');
  }

  /** In a recorded run, reads the seqs still missing below the highest had from history, once the grace has passed. */
  private fillGapsSoon(): void {
    if (!this.opts.recorder || this.gapFillPending || !this.had.hasGap()) return;
    this.gapFillPending = true;
    setTimeout(() => {
      const fill = this.had.hasGap() && this.ready && !this.closed ? this.catchUp(this.had.contiguous, (seq) => !this.had.has(seq)) : Promise.resolve();
      void fill.finally(() => {
        this.gapFillPending = false;
      });
    }, GAP_GRACE_MS).unref();
  }

  private async join(): Promise<void> {
    // Where a catch-up starts: the last seq seen before this join. A broadcast can reach the socket once the
    // server has put it in the room and before the join's ack, so reading lastSeenSeq after the ack would skip
    // what was stored while the client was away.
    const since = this.lastSeenSeq;
    while (this.socket.connected && !this.closed) {
      const op = this.opts.recorder?.invoke({ f: 'join', process: this.opts.userId, value: { channelId: this.opts.channelId, ...(this.tokenExpired ? { after: 'token-expired' as const } : {}) } });
      try {
        const ack = (await this.socket.timeout(this.opts.ackTimeoutMs).emitWithAck('channel:join', { channelId: this.opts.channelId })) as {
          ok: boolean;
          error?: { code: string; message: string };
        };
        op?.complete(ack?.ok ? 'ok' : 'fail', ack?.ok ? undefined : { code: ack?.error?.code ?? 'MALFORMED_ACK' });
        if (ack?.ok) {
          this.tokenExpired = false;
          if (this.joinedOnce && !this.socket.recovered && this.opts.recorder) await this.catchUp(since);
          this.fillGapsSoon();
          this.joinedOnce = true;
          this.ready = true;
          for (const wake of this.waiters) wake();
          return;
        }
        this.lastError = `channel:join answered ${ack?.error?.code ?? 'a malformed ack'}`;
        if (ack?.error?.code === 'NOT_FOUND' || ack?.error?.code === 'FORBIDDEN') return;
      } catch (err) {
        op?.complete('info', { code: /disconnected/i.test((err as Error).message) ? 'DISCONNECTED' : 'TIMEOUT' });
        this.lastError = `channel:join: ${(err as Error).message}`;
      }
      await sleep(200);
    }
  }

  /** Resolves true once connected and joined, false at `deadline` (performance.now() time). */
  async waitReady(deadline: number | (() => number)): Promise<boolean> {
    const until = typeof deadline === 'number' ? () => deadline : deadline;
    while (!this.ready) {
      const left = until() - performance.now();
      if (left <= 0 || this.closed) return false;
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 250));
        this.waiters.add(wake);
      });
    }
    return true;
  }

  /** Connects and joins; throws with the last error when not ready by `deadline`. */
  async open(deadline: number): Promise<void> {
    this.socket.connect();
    if (!(await this.waitReady(deadline))) {
      throw new Error(`client ${this.opts.userId} could not connect and join ${this.opts.channelId}: ${this.lastError || 'timed out'}`);
    }
  }

  /**
   * Sends one message. Without `retry`, one attempt. With it, unanswered and retryable attempts are repeated
   * with the same clientMsgId (after the socket is back and joined) until acked or `giveUpAt()` passes.
   */
  async send(clientMsgId: string, text: string, retry: boolean, giveUpAt: () => number): Promise<SendOutcome> {
    let attempts = 0;
    let inDoubt = false;
    let firstSentAt = Number.NaN;
    let last: SendFailure = 'GAVE_UP';
    for (;;) {
      if (!(await this.waitReady(giveUpAt))) {
        return { ok: false, code: attempts === 0 ? 'DISCONNECTED' : last, attempts, inDoubt, firstSentAt };
      }
      const sentAt = performance.now();
      if (attempts === 0) firstSentAt = sentAt;
      attempts++;
      this.opts.onAttempt?.(clientMsgId, sentAt);
      const op = this.opts.recorder?.invoke({ f: 'send', process: this.opts.userId, value: { channelId: this.opts.channelId, authorId: this.opts.userId, clientMsgId, attempt: attempts, text } });
      let ack: { ok?: boolean; data?: { id?: unknown; seq?: unknown; authorId?: unknown }; error?: { code?: string; retryAfterMs?: number } };
      try {
        ack = await this.socket.timeout(this.opts.ackTimeoutMs).emitWithAck('message:send', { channelId: this.opts.channelId, text, clientMsgId });
      } catch (err) {
        inDoubt = true;
        last = /disconnected/i.test((err as Error).message) ? 'DISCONNECTED' : 'TIMEOUT';
        op?.complete('info', { code: last });
        if (!retry || performance.now() >= giveUpAt()) return { ok: false, code: last, attempts, inDoubt, firstSentAt };
        continue;
      }
      const ackedAt = performance.now();
      if (ack?.ok && typeof ack.data?.id === 'string' && typeof ack.data.seq === 'number') {
        op?.complete('ok', { id: ack.data.id, seq: ack.data.seq });
        this.had.add(ack.data.seq);
        return {
          ok: true,
          acked: { authorId: typeof ack.data.authorId === 'string' ? ack.data.authorId : this.opts.userId, clientMsgId, id: ack.data.id, seq: ack.data.seq },
          attempts,
          inDoubt,
          firstSentAt,
          lastSentAt: sentAt,
          ackedAt,
        };
      }
      const parsed = ErrorCode.safeParse(ack?.error?.code);
      last = parsed.success ? parsed.data : 'INTERNAL';
      op?.complete('fail', { code: last });
      if (!retry || last === 'VALIDATION' || performance.now() >= giveUpAt()) return { ok: false, code: last, attempts, inDoubt, firstSentAt };
      if (last === 'FORBIDDEN' || last === 'NOT_FOUND') void this.join();
      await sleep(Math.min(ack?.error?.retryAfterMs ?? 200, RETRYABLE_WAIT_MAX_MS));
    }
  }

  close(): void {
    this.closed = true;
    this.ready = false;
    for (const wake of this.waiters) wake();
    this.socket.disconnect();
  }
}
