import type { Delivery, History, HistoryOp, OpOutcome } from '../testbed/history/history.ts';
import { HistoryRecorder, type PendingOp } from '../testbed/history/recorder.ts';

/**
 * The history of a load run, recorded in columns of numbers: the same history HistoryRecorder records (the
 * same invoke/complete/deliver calls give the same History), built only when it is read. A load run sees
 * tens of thousands of sends and a delivery per member for each, so the hot path keeps no object per op or
 * delivery: a send is a row of numbers plus references to strings that exist anyway (its clientMsgId, the acked
 * id); a delivery is five numbers, its message id interned once per message.
 *
 * Bounded: deliveries are kept for the first `maxObservers` users to join only, and their joins are the only
 * ones recorded, so the delivery checker judges exactly those members (the others' sends are all recorded). Not kept: a send's text (a
 * load run never retries, the clientMsgId names the message) and a delivery's author and clientMsgId (taken
 * from the first delivery of the same message id: a message id names one message).
 */
const OUTCOMES: readonly OpOutcome[] = ['ok', 'fail', 'info'];
const VIAS: readonly Delivery['via'][] = ['live', 'recovery', 'history'];
const F_SEND = 0;
const F_JOIN = 1;
/** An op kept whole (read, nemesis: a few per run). */
const F_WHOLE = 2;

/** What a caller says of an op at its invocation: HistoryRecorder.invoke's parameter. */
type OpInput<Op = HistoryOp> = Op extends HistoryOp ? Omit<Op, 'index' | 'invokeMs' | 'completeMs' | 'outcome' | 'result'> : never;

export class LeanHistoryRecorder extends HistoryRecorder {
  private readonly observers = new Set<string>();
  // Interned strings: processes (users) and channels, message ids with their author and clientMsgId.
  private readonly processIndex = new Map<string, number>();
  private readonly processes: string[] = [];
  private readonly channelIndex = new Map<string, number>();
  private readonly channels: string[] = [];
  private readonly idIndex = new Map<string, number>();
  private readonly ids: string[] = [];
  private readonly idAuthor: string[] = [];
  private readonly idClientMsgId: string[] = [];

  // Ops, one row each, in invoke order (the row is the op's index).
  private readonly opF: number[] = [];
  private readonly opProcess: number[] = [];
  private readonly opChannel: number[] = [];
  private readonly opInvoke: number[] = [];
  /** NaN: not completed. */
  private readonly opComplete: number[] = [];
  private readonly opOutcome: number[] = [];
  private readonly opAttempt: number[] = [];
  /** A send's clientMsgId; null for joins. */
  private readonly opKey: (string | null)[] = [];
  /** ok send: the acked id; fail or info: the code; null: no result. */
  private readonly opResult: (string | null)[] = [];
  /** ok send: the acked seq; -1 otherwise. */
  private readonly opSeq: number[] = [];
  private readonly whole = new Map<number, HistoryOp>();

  // Deliveries, one row each.
  private readonly dProcess: number[] = [];
  private readonly dChannel: number[] = [];
  private readonly dId: number[] = [];
  private readonly dSeq: number[] = [];
  private readonly dAt: number[] = [];
  private readonly dVia: number[] = [];
  private readonly deliveredTo: number[] = [];

  /** `maxObservers`: how many users (the first to join) have their joins and deliveries recorded. */
  constructor(private readonly maxObservers = Number.POSITIVE_INFINITY) {
    super();
  }

  private intern(map: Map<string, number>, list: string[], s: string): number {
    let i = map.get(s);
    if (i === undefined) {
      i = list.length;
      list.push(s);
      map.set(s, i);
    }
    return i;
  }

  /**
   * Unbounded: every user is observed. Bounded: a join makes its user an observer while there is room, and a
   * delivery counts only for an observer (a socket sees `message:new` only once it has joined).
   */
  private observes(process: string, joining = false): boolean {
    if (this.observers.has(process)) return true;
    if ((!joining && this.maxObservers !== Number.POSITIVE_INFINITY) || this.observers.size >= this.maxObservers) return false;
    this.observers.add(process);
    return true;
  }

  /** How many deliveries each process has recorded (by process name), for waiting until the members have caught up. */
  deliveriesTo(process: string): number {
    const p = this.processIndex.get(process);
    return p === undefined ? 0 : (this.deliveredTo[p] ?? 0);
  }

  /** The users whose joins and deliveries are recorded. */
  observed(): ReadonlySet<string> {
    return this.observers;
  }

  override invoke<F extends HistoryOp['f']>(op: Extract<OpInput, { f: F }>): PendingOp<F> {
    const index = this.opF.length;
    const invokeMs = this.at();
    const generic = op as { f: HistoryOp['f']; process: string; value: { channelId?: string; clientMsgId?: string; attempt?: number; after?: string } };
    const observedJoin = generic.f === 'join' && this.observes(generic.process, true);
    if (generic.f === 'join' && !observedJoin) return { index: -1, complete: () => {} };
    // A join that says why it happened (after a token expired) is kept whole: the columns hold the channel only.
    const columnar = generic.f === 'send' || (observedJoin && generic.value.after === undefined);
    this.opF.push(!columnar ? F_WHOLE : generic.f === 'send' ? F_SEND : F_JOIN);
    this.opProcess.push(this.intern(this.processIndex, this.processes, generic.process));
    this.opChannel.push(generic.value.channelId === undefined ? -1 : this.intern(this.channelIndex, this.channels, generic.value.channelId));
    this.opInvoke.push(invokeMs);
    this.opComplete.push(Number.NaN);
    this.opOutcome.push(2);
    this.opAttempt.push(generic.value.attempt ?? 0);
    this.opKey.push(generic.value.clientMsgId ?? null);
    this.opResult.push(null);
    this.opSeq.push(-1);
    if (!columnar) {
      const entry = { ...op, index, invokeMs, completeMs: null, outcome: 'info' } as HistoryOp;
      this.whole.set(index, entry);
    }
    let done = false;
    return {
      index,
      complete: (outcome, result) => {
        if (done) return;
        done = true;
        const at = this.at();
        this.opComplete[index] = at;
        this.opOutcome[index] = OUTCOMES.indexOf(outcome);
        const entry = this.whole.get(index);
        if (entry) {
          entry.completeMs = at;
          entry.outcome = outcome;
          if (result !== undefined) entry.result = result as never;
          return;
        }
        const r = result as { id?: string; seq?: number; code?: string } | undefined;
        if (r?.id !== undefined && r.seq !== undefined) {
          this.opResult[index] = r.id;
          this.opSeq[index] = r.seq;
        } else if (r?.code !== undefined) this.opResult[index] = r.code;
      },
    };
  }

  override deliver(d: Omit<Delivery, 'atMs'>, perfNow?: number): void {
    if (!this.observes(d.process)) return;
    const p = this.intern(this.processIndex, this.processes, d.process);
    const id = this.intern(this.idIndex, this.ids, d.id);
    if (id === this.idAuthor.length) {
      this.idAuthor.push(d.authorId);
      this.idClientMsgId.push(d.clientMsgId);
    }
    this.dProcess.push(p);
    this.dChannel.push(this.intern(this.channelIndex, this.channels, d.channelId));
    this.dId.push(id);
    this.dSeq.push(d.seq);
    this.dAt.push(this.at(perfNow));
    this.dVia.push(VIAS.indexOf(d.via));
    this.deliveredTo[p] = (this.deliveredTo[p] ?? 0) + 1;
  }

  /** Deliveries recorded so far. */
  deliveryCount(): number {
    return this.dAt.length;
  }

  /** Ops recorded so far. */
  opCount(): number {
    return this.opF.length;
  }

  /** The history so far as the checkers read it (built now; pending ops stay `info` without a completion). */
  override history(): History {
    const endMs = this.at();
    const ops: HistoryOp[] = [];
    for (let i = 0; i < this.opF.length; i++) {
      const entry = this.whole.get(i);
      if (entry) {
        ops.push({ ...entry });
        continue;
      }
      const complete = this.opComplete[i]!;
      const times = {
        index: i,
        process: this.processes[this.opProcess[i]!]!,
        invokeMs: this.opInvoke[i]!,
        completeMs: Number.isNaN(complete) ? null : complete,
        outcome: OUTCOMES[this.opOutcome[i]!]!,
      };
      const channelId = this.channels[this.opChannel[i]!]!;
      const res = this.opResult[i];
      if (this.opF[i] === F_JOIN) {
        ops.push({ ...times, f: 'join', value: { channelId }, ...(res !== null && res !== undefined ? { result: { code: res } } : {}) });
        continue;
      }
      const result = res === null || res === undefined ? undefined : this.opSeq[i]! >= 0 ? { id: res, seq: this.opSeq[i]! } : { code: res };
      ops.push({
        ...times,
        f: 'send',
        value: { channelId, authorId: times.process, clientMsgId: this.opKey[i]!, attempt: this.opAttempt[i]! },
        ...(result ? { result } : {}),
      });
    }
    const deliveries: Delivery[] = new Array(this.dAt.length);
    for (let i = 0; i < this.dAt.length; i++) {
      const id = this.dId[i]!;
      deliveries[i] = {
        atMs: this.dAt[i]!,
        process: this.processes[this.dProcess[i]!]!,
        channelId: this.channels[this.dChannel[i]!]!,
        id: this.ids[id]!,
        seq: this.dSeq[i]!,
        authorId: this.idAuthor[id]!,
        clientMsgId: this.idClientMsgId[id]!,
        via: VIAS[this.dVia[i]!]!,
      };
    }
    return { endMs, ops, deliveries };
  }
}
