import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientEvents, CLIENT_EVENT_NAMES } from '../../events.ts';
import { encodeHtml, normalizeText } from '../../text.ts';
import { hostileHtml } from '../../properties/hostile-html.ts';
import { judgeSafeText } from '../../properties/text-safety.ts';
import { invalidPayloads } from '../checks/architecture/invalid-payloads.ts';
import { expectedDeltas } from '../checks/production/metric-deltas.ts';
import { judgeLogs } from '../checks/production/log-lines.ts';
import { lostOrChanged } from '../checks/recovery/history.ts';
import { readAck } from '../ack.ts';
import { ALL_CHECKS, selectChecks } from '../registry.ts';
import { RunResults } from '../run-results.ts';
import { VERDICT_ORDER } from '../../../reports/verdicts.ts';
import { versionOutcome } from '../versions.ts';
import { describeSpecProblem } from '../preflight.ts';
import { SpecDocument } from '../../http.ts';
import { ArrivalQueue } from '../../../testbed/clients/arrival-queue.ts';
import { expectedHealth } from '../checks/architecture/c08-health-dependencies.ts';
import { parseDependencyNames } from '../dependencies.ts';
import { firstArrivals } from '../checks/rules/s17-redis-outage.ts';
import { offsetOf } from '../checks/recovery-scene.ts';

describe('verdicts', () => {
  it("a repeated check keeps every verdict and shows its worst run, with that run's message", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('pass', 'non-strict', 'unimplemented', 'inconclusive', 'fail' as const), { minLength: 2, maxLength: 6 }), (verdicts) => {
        const results = new RunResults(verdicts.length);
        verdicts.forEach((verdict, i) => results.add({ id: 'X01', title: 't', group: 'Protocol', level: 'MUST', rules: [], verdict, message: `run ${i}`, durationMs: 1, evidence: [] }));
        const [only] = results.list();
        const worstAt = verdicts.reduce((w, v, i) => (VERDICT_ORDER.indexOf(v) > VERDICT_ORDER.indexOf(verdicts[w]!) ? i : w), 0);
        expect(only).toMatchObject({ repeats: verdicts, verdict: verdicts[worstAt], message: `run ${worstAt}`, durationMs: verdicts.length });
      }),
    );
  });
  it('states a version mismatch', () => {
    expect(versionOutcome({ specName: 'sockproof', specVersion: '1.0', engineIoProtocol: 4 }).outcome).toBe('pass');
    expect(versionOutcome({ specName: 'sockproof', specVersion: '2.0', engineIoProtocol: 4 }).message).toMatch(/2\.0/);
  });
  it('says what GET /spec answered instead of a spec document: status, content type, the schema\'s complaints, an excerpt', () => {
    const junk = { spec: 'sockproof', version: 1 };
    const issues = SpecDocument.safeParse(junk).error!.issues;
    const problem = describeSpecProblem({ status: 200, contentType: 'application/json', text: JSON.stringify(junk) }, issues);
    expect(problem).toMatch(/^GET \/spec answered 200 application\/json, not a sockproof spec document: version: .*expected string/);
    expect(problem).toContain('"{\\"spec\\":\\"sockproof\\",\\"version\\":1}"');
    const notFound = describeSpecProblem({ status: 404, contentType: '', text: 'x'.repeat(500) }, issues);
    expect(notFound).toMatch(/^GET \/spec answered 404 without a content type, not a sockproof spec document; body "x{160}…"$/);
    expect(versionOutcome({ specProblem: notFound, engineIoProtocol: 4 })).toEqual({ outcome: 'fail', message: notFound });
  });
  it('selects by id and group, refuses unknown ids', () => {
    // The Security group grows (C24… for issue 11): its members in run order, C15-C17 among them.
    const security = ALL_CHECKS.filter((c) => c.group === 'Security').map((c) => c.id);
    expect(security.slice(0, 3)).toEqual(['C15', 'C16', 'C17']);
    expect(selectChecks({ only: ['c04', 'Security'], level: 'all' }).map((c) => c.id)).toEqual(['C04', ...security]);
    expect(() => selectChecks({ only: ['X99'], level: 'all' })).toThrow(/unknown check id X99/);
    expect(selectChecks({ only: [], level: 'must' }).every((c) => c.level === 'MUST')).toBe(true);
  });
});

describe('acks', () => {
  it('reads the spec envelope and nothing else', () => {
    expect(readAck('x', { kind: 'ack', args: [{ ok: false, error: { code: 'VALIDATION', message: 'm' } }], ms: 1 }).kind).toBe('error');
    expect(readAck('x', { kind: 'ack', args: [{ error: 'VALIDATION' }], ms: 1 }).kind).toBe('malformed');
    expect(readAck('channel:join', { kind: 'ack', args: [{ ok: true, data: { channelId: 'a' } }], ms: 1 }).kind).toBe('malformed');
    expect(readAck('x', { kind: 'timeout', ms: 5 }).kind).toBe('missing');
  });
  it('every payload C07 sends is invalid by the spec\'s own schema', () => {
    const cases = invalidPayloads('nochan');
    for (const e of CLIENT_EVENT_NAMES) for (const [what, p] of cases[e]) expect(clientEvents[e].payload.safeParse(p).success, `${e} ${what}`).toBe(false);
  });
});

describe('text safety judgement', () => {
  it('accepts the spec\'s encoding for hostile HTML (a property over the generator)', () => {
    fc.assert(fc.property(hostileHtml, (s) => judgeSafeText(s, { text: normalizeText(s), html: encodeHtml(normalizeText(s)) }).ok), { numRuns: 300 });
  });
  it('rejects a blacklist that strips <script> and a missing encoding', () => {
    const input = '<scr<script>ipt>alert(1)</script>';
    expect(judgeSafeText(input, { text: input.replace(/<script>/gi, ''), html: encodeHtml(input.replace(/<script>/gi, '')) }).ok).toBe(false);
    expect(judgeSafeText('<b>x</b>', { text: '<b>x</b>', html: '<b>x</b>' }).ok).toBe(false);
  });
});

describe('pure expectations', () => {
  it('metric deltas count idempotent repeats as processed, not sent', () => {
    const d = expectedDeltas({ handshakesAccepted: 1, handshakesRefused: 0, newMessages: 2, idempotentRepeats: 1, sendsRefused: 1, otherEventsOk: 0, unknownEvents: 1, withoutCallback: 1 });
    expect(d).toMatchObject({ messagesSent: 2, eventsProcessed: 3, eventsRejected: 3, messagesRejected: 1 });
  });
  it('log judgement finds non-JSON lines and leaked secrets', () => {
    const j = judgeLogs(['{"level":30,"time":1,"msg":"ok"}', 'plain', '{"level":30,"time":1,"msg":"t s3cr3t"}'], ['s3cr3t']);
    expect(j.notJson).toHaveLength(1);
    expect(j.leaks).toHaveLength(1);
  });
  it('history comparison finds lost and duplicated messages', () => {
    const m = (id: string, seq: number) => ({ id, seq, clientMsgId: id, authorId: 'a' }) as never;
    expect(lostOrChanged([m('a', 1), m('b', 2)], [m('a', 1)])).toEqual(['lost: a/b (acked id b, seq 2)']);
    expect(lostOrChanged([m('a', 1)], [m('a', 1), m('a', 1)])).toEqual(['duplicated: a/a x2']);
  });
});

describe('arrival queue', () => {
  it('loses nothing that arrives before or between waits', async () => {
    const q = new ArrivalQueue<number>();
    q.push(1);
    q.push(2);
    q.push(3);
    expect(await q.take((n) => n === 2, 10)).toBe(2);
    const later = q.take((n) => n === 4, 1_000);
    q.push(4);
    expect(await later).toBe(4);
    expect(await q.take(() => true, 10)).toBe(1);
    expect(await q.take((n) => n === 9, 20)).toBeUndefined();
  });
});

describe('dependency and multi-node judgements', () => {
  it('health by HLTH-2: a down embedded store is unhealthy, a down external store or Redis degraded', () => {
    expect(expectedHealth({ store: { status: 'down' } }, 'pglite')).toBe('unhealthy');
    expect(expectedHealth({ store: { status: 'down' }, redis: { status: 'up' } }, 'postgres')).toBe('degraded');
    expect(expectedHealth({ store: { status: 'up' }, redis: { status: 'down' } }, 'postgres')).toBe('degraded');
    expect(expectedHealth({ store: { status: 'up' }, redis: { status: 'up' } }, 'postgres')).toBe('healthy');
  });
  it('parses --deps and refuses unknown names', () => {
    expect(parseDependencyNames('postgres, redis,postgres')).toEqual(['postgres', 'redis']);
    expect(() => parseDependencyNames('redis,mysql')).toThrow(/unknown dependency "mysql"/);
  });
  it('drops repeats of at-least-once delivery, keeping first-arrival order', () => {
    expect(firstArrivals(['a', 'b', 'a', 'c', 'b'])).toEqual(['a', 'b', 'c']);
  });
  it('reads the recovery offset only when Socket.IO appended one', () => {
    const arrival = (args: unknown[]) => ({ t: 0, type: 'EVENT' as const, nsp: '/', id: undefined, event: 'message:new', args, data: undefined });
    expect(offsetOf(arrival([{ id: 'm' }, '1700000000000-0']))).toBe('1700000000000-0');
    expect(offsetOf(arrival([{ id: 'm' }]))).toBeUndefined();
  });
});
