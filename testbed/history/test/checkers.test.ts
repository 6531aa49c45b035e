import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { History, type HistoryOp } from '../history.ts';
import { overallVerdict, runCheckers, type CheckerVerdict } from '../checkers/index.ts';
import { checkExactlyOnce } from '../checkers/exactly-once.ts';
import { checkRetryOnce } from '../checkers/retry-once.ts';
import { checkSeqOrder } from '../checkers/seq-order.ts';
import { checkDelivery } from '../checkers/delivery.ts';
import { checkAvailability } from '../checkers/availability.ts';
import { checkCrossNodeOrder } from '../checkers/cross-node-order.ts';

const BOUND = 1_000;
const CH = 'c1';

interface MessagePlan {
  author: number;
  /** Attempts before the last one (each a timeout, `info`). */
  retries: number;
  /** The last attempt: acked, refused for good, or unanswered (then maybe stored anyway). */
  last: 'ok' | 'fail' | 'info';
  storedAnyway: boolean;
}

const messagePlan = fc.record({
  author: fc.nat(3),
  retries: fc.nat(2),
  last: fc.constantFrom<MessagePlan['last']>('ok', 'ok', 'ok', 'fail', 'info'),
  storedAnyway: fc.boolean(),
});

const plan = fc.record({
  members: fc.integer({ min: 2, max: 4 }),
  messages: fc.array(messagePlan, { minLength: 1, maxLength: 25 }),
  window: fc.option(fc.record({ fault: fc.constantFrom('kill', 'partition', 'pause', 'redis-down') as fc.Arbitrary<'kill'>, from: fc.nat(20), length: fc.integer({ min: 1, max: 40 }) }), { nil: undefined }),
});
type Plan = typeof plan extends fc.Arbitrary<infer T> ? T : never;

/**
 * A correct run: every acked message stored once with its id and seq, seq increasing, every member gets every
 * other author's stored message right away, the last message acked after any heal.
 */
function validHistory(p: Plan): History {
  const ops: HistoryOp[] = [];
  const push = (op: Omit<HistoryOp, 'index'>) => ops.push({ ...op, index: ops.length } as HistoryOp);
  const users = Array.from({ length: p.members }, (_, i) => `u${i}`);
  for (const u of users) push({ f: 'join', process: u, invokeMs: 0, completeMs: 1, outcome: 'ok', value: { channelId: CH } });
  const messages = [...p.messages, { author: 0, retries: 0, last: 'ok' as const, storedAnyway: false }];
  const stored: { id: string; authorId: string; clientMsgId: string; seq: number; at: number }[] = [];
  let t = 10;
  const windowAt = p.window ? { start: 10 + p.window.from * 10, heal: 10 + (p.window.from + p.window.length) * 10 } : undefined;
  messages.forEach((m, i) => {
    const authorId = users[m.author % users.length]!;
    const clientMsgId = `k${i}`;
    for (let r = 0; r < m.retries; r++, t += 10) push({ f: 'send', process: authorId, invokeMs: t, completeMs: t + 5, outcome: 'info', value: { channelId: CH, authorId, clientMsgId, attempt: r + 1 }, result: { code: 'TIMEOUT' } });
    const isLast = i === messages.length - 1;
    // The closing message is sent after any heal, so the service is seen to recover.
    if (isLast && windowAt) t = Math.max(t, windowAt.heal + 10);
    const seq = stored.length + 1;
    const attempt = m.retries + 1;
    if (m.last === 'ok') {
      push({ f: 'send', process: authorId, invokeMs: t, completeMs: t + 5, outcome: 'ok', value: { channelId: CH, authorId, clientMsgId, attempt }, result: { id: `m${i}`, seq } });
      stored.push({ id: `m${i}`, authorId, clientMsgId, seq, at: t + 5 });
    } else {
      push({ f: 'send', process: authorId, invokeMs: t, completeMs: t + 5, outcome: m.last, value: { channelId: CH, authorId, clientMsgId, attempt }, result: { code: m.last === 'fail' ? 'UNAVAILABLE' : 'TIMEOUT' } });
      if (m.last === 'info' && m.storedAnyway) stored.push({ id: `m${i}`, authorId, clientMsgId, seq, at: t + 5 });
    }
    t += 10;
  });
  if (windowAt) {
    const nemesis = (fault: 'kill', phase: 'start' | 'heal', at: number) => push({ f: 'nemesis', process: 'nemesis', invokeMs: at, completeMs: at + 1, outcome: 'ok', value: { fault: p.window!.fault, phase } });
    nemesis('kill', 'start', windowAt.start);
    nemesis('kill', 'heal', windowAt.heal);
  }
  push({ f: 'read', process: 'reader', invokeMs: t + BOUND, completeMs: t + BOUND + 1, outcome: 'ok', value: { channelId: CH }, result: { messages: stored.map(({ at: _at, ...m }) => m) } });
  const deliveries = stored.flatMap((m) => users.filter((u) => u !== m.authorId).map((u) => ({ atMs: m.at + 1, process: u, channelId: CH, id: m.id, seq: m.seq, authorId: m.authorId, clientMsgId: m.clientMsgId, via: 'live' as const })));
  ops.sort((a, b) => a.invokeMs - b.invokeMs).forEach((o, i) => (o.index = i));
  return History.parse({ endMs: t + 2 * BOUND, ops, deliveries });
}

const readOf = (h: History) => h.ops.find((o) => o.f === 'read') as Extract<HistoryOp, { f: 'read' }> & { result: { messages: { id: string; authorId: string; clientMsgId: string; seq: number }[] } };
const withMessages = (h: History, edit: (ms: ReturnType<typeof readOf>['result']['messages']) => ReturnType<typeof readOf>['result']['messages']): History => ({
  ...h,
  ops: h.ops.map((o) => (o.f === 'read' ? { ...o, result: { messages: edit(readOf(h).result.messages) } } : o)),
});
const names = (vs: CheckerVerdict[]) => Object.fromEntries(vs.map((v) => [v.checker, v.verdict]));

describe('history checkers on generated histories', () => {
  it('judge a correct history valid, every checker', () => {
    fc.assert(
      fc.property(plan, (p) => {
        const vs = runCheckers(validHistory(p), { deliveryBoundMs: BOUND });
        expect(names(vs), vs.map((v) => v.reason).join('\n')).toEqual({ 'exactly-once': 'valid', 'retry-once': 'valid', 'seq-order': 'valid', delivery: 'valid', availability: 'valid', 'cross-node-order': 'valid' });
        expect(overallVerdict(vs)).toBe('valid');
      }),
    );
  });

  it('exactly-once: an acked message missing from the final read is invalid, its ack op the counterexample', () => {
    fc.assert(
      fc.property(plan, fc.nat(), (p, pick) => {
        const h = validHistory(p);
        const acked = h.ops.filter((o) => o.f === 'send' && o.outcome === 'ok');
        const victim = acked[pick % acked.length]!;
        const v = checkExactlyOnce(withMessages(h, (ms) => ms.filter((m) => m.id !== (victim.result as { id: string }).id)));
        expect(v.verdict).toBe('invalid');
        expect(v.counterexamples[0]!.ops).toContain(victim.index);
        expect(v.counterexamples[0]!.what).toMatch(/^lost/);
      }),
    );
  });

  it('retry-once: a retried message stored twice is invalid with its attempts; a single-attempt one is not its business', () => {
    fc.assert(
      fc.property(plan, (p) => {
        const h = validHistory({ ...p, messages: [{ author: 1, retries: 1, last: 'ok', storedAnyway: false }, ...p.messages] });
        const attempts = h.ops.filter((o) => o.f === 'send' && o.value.clientMsgId === 'k0');
        expect(attempts.length).toBe(2);
        const v = checkRetryOnce(withMessages(h, (ms) => [...ms, { ...ms.find((m) => m.clientMsgId === 'k0')!, id: 'copy', seq: ms.at(-1)!.seq + 1 }]));
        expect(v.verdict).toBe('invalid');
        for (const a of attempts) expect(v.counterexamples[0]!.ops).toContain(a.index);
        // A server that lost the key stores the copy under another clientMsgId; the run's unique text names it.
        const withText = { ...h, ops: h.ops.map((o) => (o.f === 'send' ? { ...o, value: { ...o.value, text: `t ${o.value.clientMsgId}` } } : o)) };
        const rekeyed = checkRetryOnce(
          withMessages(withText, (ms) => [...ms.map((m) => ({ ...m, text: `t ${m.clientMsgId}` })), { ...ms.find((m) => m.clientMsgId === 'k0')!, clientMsgId: 'k0#x', text: 't k0', id: 'copy', seq: ms.at(-1)!.seq + 1 }]),
        );
        expect(rekeyed.verdict).toBe('invalid');
      }),
    );
  });

  it('seq-order: two stored messages out of order, or one seq acked twice, is invalid', () => {
    fc.assert(
      fc.property(plan, fc.nat(), (p, pick) => {
        const h = validHistory({ ...p, messages: [{ author: 1, retries: 0, last: 'ok', storedAnyway: false }, ...p.messages] });
        const n = readOf(h).result.messages.length;
        const i = 1 + (pick % (n - 1));
        const swapped = checkSeqOrder(withMessages(h, (ms) => ms.map((m, j) => (j === i - 1 ? ms[i]! : j === i ? ms[i - 1]! : m))));
        expect(swapped.verdict).toBe('invalid');
        expect(swapped.counterexamples[0]!.ops).toEqual([readOf(h).index]);
        const sameSeq = checkSeqOrder({ ...h, ops: h.ops.map((o) => (o.f === 'send' && o.outcome === 'ok' ? { ...o, result: { id: (o.result as { id: string }).id, seq: 1 } } : o)) });
        expect(sameSeq.verdict).toBe('invalid');
      }),
    );
  });

  it('delivery: a member that never gets a message, or gets it after the bound, is invalid', () => {
    fc.assert(
      fc.property(plan, fc.nat(), fc.boolean(), (p, pick, late) => {
        const h = validHistory(p);
        const d = h.deliveries[pick % h.deliveries.length]!;
        const edited = { ...h, deliveries: late ? h.deliveries.map((x) => (x === d ? { ...x, atMs: x.atMs + 50 * BOUND } : x)) : h.deliveries.filter((x) => x !== d) };
        const v = checkDelivery({ ...edited, endMs: h.endMs + 100 * BOUND }, BOUND);
        expect(v.verdict).toBe('invalid');
        expect(v.counterexamples[0]!.what).toContain(d.process);
      }),
    );
  });

  it('availability: sends after a heal none of which is acked is invalid; figures per window', () => {
    fc.assert(
      fc.property(plan, (p) => {
        if (!p.window) return;
        const h = validHistory(p);
        const heal = h.ops.find((o) => o.f === 'nemesis' && o.value.phase === 'heal')!;
        const ok = checkAvailability(h);
        expect(ok.figures!.windows).toHaveLength(1);
        expect((ok.figures!.windows as { recoverMs: number }[])[0]!.recoverMs).toBeGreaterThanOrEqual(0);
        const down = { ...h, ops: h.ops.map((o) => (o.f === 'send' && o.invokeMs >= heal.invokeMs ? { ...o, outcome: 'fail' as const, result: { code: 'UNAVAILABLE' } } : o)) };
        expect(checkAvailability(down).verdict).toBe('invalid');
      }),
    );
  });

  it('cross-node-order: a member that saw a message under another seq than stored, or left a gap between two seqs it saw, is invalid', () => {
    fc.assert(
      fc.property(plan, fc.nat(), fc.nat(), (p, pick, shift) => {
        const h = validHistory({ ...p, messages: [{ author: 1, retries: 0, last: 'ok', storedAnyway: false }, { author: 2, retries: 0, last: 'ok', storedAnyway: false }, ...p.messages] });
        // Members may see messages in any order and fill gaps from history: still valid.
        const shuffled = { ...h, deliveries: [...h.deliveries].reverse().map((d, i) => (i % 3 === 0 ? { ...d, via: 'history' as const } : d)) };
        expect(checkCrossNodeOrder(shuffled).verdict).toBe('valid');
        const d = h.deliveries[pick % h.deliveries.length]!;
        const renumbered = checkCrossNodeOrder({ ...h, deliveries: h.deliveries.map((x) => (x === d ? { ...x, seq: x.seq + 1 + (shift % 5) } : x)) });
        expect(renumbered.verdict).toBe('invalid');
        expect(renumbered.counterexamples[0]!.what).toContain(d.process);
        // A gap: drop one delivery of a member that saw a message before it and one after it.
        const inner = h.deliveries.filter((x) => h.deliveries.some((y) => y.process === x.process && y.seq < x.seq) && h.deliveries.some((y) => y.process === x.process && y.seq > x.seq));
        if (inner.length === 0) return;
        const gone = inner[pick % inner.length]!;
        const gap = checkCrossNodeOrder({ ...h, deliveries: h.deliveries.filter((x) => x !== gone) });
        expect(gap.verdict).toBe('invalid');
        expect(gap.counterexamples[0]!.what).toMatch(new RegExp(`${gone.process} saw seqs \\d+ and \\d+ .* never got seq ${gone.seq}`));
      }),
    );
  });

  it('a truncated history (no final read, or a fault never healed) is unknown, never valid', () => {
    fc.assert(
      fc.property(plan, fc.boolean(), (p, readFailed) => {
        const h = validHistory(p);
        const noRead = readFailed
          ? { ...h, ops: h.ops.map((o) => (o.f === 'read' ? { ...o, outcome: 'info' as const, completeMs: null, result: { code: 'TIMEOUT' } } : o)) }
          : { ...h, ops: h.ops.filter((o) => o.f !== 'read') };
        const vs = runCheckers(noRead, { deliveryBoundMs: BOUND });
        for (const c of ['exactly-once', 'retry-once', 'seq-order', 'delivery', 'cross-node-order'] as const) expect(vs.find((v) => v.checker === c)!.verdict).not.toBe('valid');
        expect(overallVerdict(vs)).not.toBe('valid');
        if (p.window) {
          const unhealed = { ...h, ops: h.ops.filter((o) => !(o.f === 'nemesis' && o.value.phase === 'heal')) };
          expect(checkAvailability(unhealed).verdict).toBe('unknown');
        }
      }),
    );
  });
});
