import type { CheckResult, Report, Verdict } from '../schema.ts';
import { REPORT_SCHEMA_ID, REPORT_SCHEMA_VERSION } from '../schema.ts';

/** A check result with sensible defaults; override what the test is about. */
export function check(id: string, verdict: Verdict, overrides: Partial<CheckResult> = {}): CheckResult {
  return {
    id,
    title: `title of ${id}`,
    group: id.split('-')[0] ?? 'MISC',
    level: 'MUST',
    rules: [id.replace(/^([A-Z]+-\d+).*$/, '$1')],
    verdict,
    message: verdict === 'pass' ? 'ok' : `${id} is ${verdict}`,
    durationMs: 12,
    evidence: [],
    ...overrides,
  };
}

/** A schema-valid report whose summary and outcome agree with its results. */
export function report(results: CheckResult[], overrides: Partial<Report> = {}): Report {
  const n = (v: Verdict) => results.filter((r) => r.verdict === v).length;
  return {
    schema: REPORT_SCHEMA_ID,
    schemaVersion: REPORT_SCHEMA_VERSION,
    kind: 'conformance',
    tool: { name: 'sockproof', version: '0.1.0' },
    spec: { name: 'sockproof', version: '1.0' },
    target: {
      url: 'http://127.0.0.1:3000',
      specVersion: '1.0',
      implementation: { name: 'reference', version: '0.1.0' },
      engineIoProtocol: 4,
      startedByHarness: true,
    },
    options: { level: 'all', strict: false, only: [], repeat: 1 },
    startedAt: '2025-01-02T03:04:05.000Z',
    finishedAt: '2025-01-02T03:04:17.500Z',
    summary: {
      total: results.length,
      pass: n('pass'),
      fail: n('fail'),
      nonStrict: n('non-strict'),
      unimplemented: n('unimplemented'),
      inconclusive: n('inconclusive'),
    },
    outcome: n('fail') ? 'fail' : 'pass',
    results,
    ...overrides,
  };
}

/** Text a hostile target might send: markup, script breakouts, table breakers, controls. */
export const HOSTILE =
  '</script><img src=x onerror=alert(1)><!-- ]]> | **bold** `code` [l](http://x) & "q" \'a\' \u0000\u0007\u001b[31m \uFFFE \uD800 line\nbreak';

/** One report with every verdict, every evidence kind and a counterexample. */
export function mixedReport(): Report {
  return report([
    check('TRN-1', 'pass'),
    check('TRN-2', 'non-strict', { level: 'SHOULD' }),
    check('AUTH-1', 'fail', {
      message: 'accepted an expired token',
      rules: ['AUTH-1', 'AUTH-3'],
      evidence: [
        { kind: 'http', t: 0, method: 'GET', url: '/spec', status: 200, responseBody: { version: '1.0' }, durationMs: 3 },
        { kind: 'frame', t: 5, conn: 'a', dir: 'out', type: 'CONNECT', data: { token: 'expired' } },
        { kind: 'frame', t: 9, conn: 'a', dir: 'in', type: 'CONNECT' },
        { kind: 'expect', t: 10, expected: 'CONNECT_ERROR UNAUTHENTICATED', actual: 'CONNECT', ok: false },
        { kind: 'note', t: 11, text: 'server logged nothing' },
      ],
      counterexample: { seed: 42, path: '3:1', value: ['exp', -1], numRuns: 17 },
    }),
    check('AUTH-2', 'unimplemented', { level: 'MAY', message: 'no refresh endpoint' }),
    check('MSG-1', 'inconclusive', { message: 'check threw: TypeError' }),
  ]);
}
