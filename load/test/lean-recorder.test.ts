import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHistory, type History, type HistoryOp } from '../../testbed/history/history.ts';
import { HistoryRecorder } from '../../testbed/history/recorder.ts';
import { LeanHistoryRecorder } from '../lean-recorder.ts';
import { DELIVERY_RECORD_BUDGET, observerCount } from '../realtime-run.ts';
import { recordingOverhead, type OverheadPhase } from '../recording-overhead.ts';

/**
 * The lean recorder records the history HistoryRecorder records: the same calls give the same ops (index, who,
 * what, outcome, result) and deliveries, but for the times (each recorder reads the clock itself), a send's
 * text (not kept) and, with a bound on observers, the joins and deliveries of users past it.
 */
const CH = 'sp-load-1';
const message = (j: number) => ({ id: `m${j}`, authorId: `u${j % 4}`, clientMsgId: `k${j}`, seq: j + 1 });

const action = fc.oneof(
  fc.record({ kind: fc.constant('join' as const), user: fc.nat(5), done: fc.constantFrom('ok', 'fail', 'info', 'pending') }),
  fc.record({ kind: fc.constant('send' as const), user: fc.nat(5), key: fc.nat(30), attempt: fc.integer({ min: 1, max: 3 }), done: fc.constantFrom('ok', 'fail', 'info', 'pending'), twice: fc.boolean() }),
  fc.record({ kind: fc.constant('read' as const), done: fc.constantFrom('ok', 'info', 'pending') }),
  fc.record({ kind: fc.constant('nemesis' as const), phase: fc.constantFrom<'start' | 'heal'>('start', 'heal') }),
  fc.record({ kind: fc.constant('deliver' as const), user: fc.nat(5), msg: fc.nat(30), via: fc.constantFrom<'live' | 'recovery' | 'history'>('live', 'recovery', 'history') }),
);

type Action = typeof action extends fc.Arbitrary<infer T> ? T : never;

/** As on a socket: a user gets `message:new` only once it has sent a join. */
const joinedFirst = (actions: readonly Action[]): Action[] => {
  const joined = new Set<number>();
  return actions.filter((a) => {
    if (a.kind === 'join') joined.add(a.user);
    return a.kind !== 'deliver' || joined.has(a.user);
  });
};

function play(recorder: HistoryRecorder, actions: readonly Action[]): void {
  for (const a of actions) {
    if (a.kind === 'join') {
      const op = recorder.invoke({ f: 'join', process: `u${a.user}`, value: { channelId: CH } });
      if (a.done === 'ok') op.complete('ok');
      else if (a.done !== 'pending') op.complete(a.done, { code: a.done === 'fail' ? 'FORBIDDEN' : 'TIMEOUT' });
    } else if (a.kind === 'send') {
      const m = message(a.key);
      const op = recorder.invoke({ f: 'send', process: `u${a.user}`, value: { channelId: CH, authorId: `u${a.user}`, clientMsgId: m.clientMsgId, attempt: a.attempt, text: `sockproof ${m.clientMsgId}` } });
      if (a.done === 'ok') op.complete('ok', { id: m.id, seq: m.seq });
      else if (a.done !== 'pending') op.complete(a.done, { code: a.done === 'fail' ? 'UNAVAILABLE' : 'TIMEOUT' });
      if (a.twice) op.complete('fail', { code: 'INTERNAL' });
    } else if (a.kind === 'read') {
      const op = recorder.invoke({ f: 'read', process: 'reader', value: { channelId: CH } });
      if (a.done === 'ok') op.complete('ok', { messages: [message(0), message(1)] });
      else if (a.done === 'info') op.complete('info', { code: 'read failed' });
    } else if (a.kind === 'nemesis') {
      recorder.invoke({ f: 'nemesis', process: 'nemesis', value: { fault: 'kill', phase: a.phase } }).complete('ok');
    } else {
      recorder.deliver({ process: `u${a.user}`, channelId: CH, ...message(a.msg), via: a.via });
    }
  }
}

/** A history without its times and send texts, the ops renumbered in order (what both recorders must agree on). */
function timeless(h: History): unknown {
  return {
    ops: h.ops.map((o, i) => {
      const { invokeMs: _i, completeMs, ...rest } = o;
      const value = o.f === 'send' ? (({ text: _t, ...v }) => v)(o.value) : o.value;
      return { ...rest, index: i, value, completed: completeMs !== null };
    }),
    deliveries: h.deliveries.map(({ atMs: _a, ...d }) => d),
  };
}

/** What the object recorder's history is with only the first `k` users to join observed. */
function observedOnly(h: History, k: number): History {
  const observers = new Set<string>();
  for (const o of h.ops) if (o.f === 'join' && (observers.has(o.process) || observers.size < k)) observers.add(o.process);
  return { ...h, ops: h.ops.filter((o: HistoryOp) => o.f !== 'join' || observers.has(o.process)), deliveries: h.deliveries.filter((d) => observers.has(d.process)) };
}

describe('LeanHistoryRecorder (the load run history, in columns)', () => {
  it('records the same history as HistoryRecorder for the same calls, and it parses', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 80 }), (actions) => {
        const objects = new HistoryRecorder();
        const lean = new LeanHistoryRecorder();
        play(objects, actions);
        play(lean, actions);
        const h = lean.history();
        expect(parseHistory(h)).toEqual(h);
        expect(timeless(h)).toEqual(timeless(objects.history()));
        expect(h.ops.every((o, i) => o.index === i && (o.completeMs === null || o.completeMs >= o.invokeMs))).toBe(true);
      }),
    );
  });

  it('with a bound on observers: only the first users to join have their joins and deliveries recorded; every send is kept', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 80 }).map(joinedFirst), fc.integer({ min: 0, max: 4 }), (actions, k) => {
        const objects = new HistoryRecorder();
        const lean = new LeanHistoryRecorder(k);
        play(objects, actions);
        play(lean, actions);
        const h = lean.history();
        expect(lean.observed().size).toBeLessThanOrEqual(k);
        expect(timeless(h)).toEqual(timeless(observedOnly(objects.history(), k)));
        for (const p of lean.observed()) expect(lean.deliveriesTo(p)).toBe(h.deliveries.filter((d) => d.process === p).length);
      }),
    );
  });

  it('records members within the delivery budget: all of them when clients x max messages fits, at least one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1_000_000 }), (clients, maxMessages) => {
        const n = observerCount(clients, maxMessages);
        expect(n).toBeGreaterThanOrEqual(1);
        expect(n).toBeLessThanOrEqual(clients);
        if (n > 1) expect(n * maxMessages).toBeLessThanOrEqual(DELIVERY_RECORD_BUDGET);
        if (clients * maxMessages <= DELIVERY_RECORD_BUDGET) expect(n).toBe(clients);
      }),
    );
  });
});

describe('recording overhead (ratios of phases in one run)', () => {
  const phase = (recorded: boolean, ackedPerSec: number, p99: number | null, cpu: number): OverheadPhase => ({ recorded, acked: 100, ackedPerSec, ackP50Ms: 10, ackP99Ms: p99, runnerCpuUsPerAck: cpu });

  it('divides the recorded phases’ mean by the unrecorded ones’, and says null when a side has no figure', () => {
    const o = recordingOverhead([phase(false, 1000, 50, 300), phase(true, 900, 60, 330), phase(true, 950, 55, 360), phase(false, 1000, 50, 300)]);
    expect(o.ackedPerSecRatio).toBe(0.925);
    expect(o.ackP99Ratio).toBe(1.15);
    expect(o.ackP50Ratio).toBe(1);
    expect(o.runnerCpuRatio).toBe(1.15);
    expect(recordingOverhead([phase(false, 1000, null, 1), phase(true, 900, null, 1)]).ackP99Ratio).toBeNull();
    expect(recordingOverhead([phase(true, 900, 5, 1)]).ackedPerSecRatio).toBeNull();
  });
});
