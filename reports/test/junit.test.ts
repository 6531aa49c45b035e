import { describe, expect, it } from 'vitest';
import { escapeXmlAttr, renderJUnit } from '../junit.ts';
import { HOSTILE, check, mixedReport, report } from './fixtures.ts';
import { childrenNamed, parseXml } from './xml.ts';

describe('JUnit XML', () => {
  const root = parseXml(renderJUnit(mixedReport()));
  const suites = childrenNamed(root, 'testsuite');
  const cases = suites.flatMap((s) => childrenNamed(s, 'testcase'));
  const byId = (id: string) => cases.find((c) => c.attrs.name!.startsWith(`${id} `))!;

  it('has a testsuite per group and a testcase per check, with totals', () => {
    expect(root.name).toBe('testsuites');
    expect(suites.map((s) => s.attrs.name)).toEqual(['TRN', 'AUTH', 'MSG']);
    expect(root.attrs).toMatchObject({ tests: '5', failures: '1', errors: '1', skipped: '1' });
    expect(suites[1]!.attrs).toMatchObject({ tests: '2', failures: '1', skipped: '1', errors: '0' });
    expect(byId('AUTH-1').attrs).toMatchObject({ classname: 'AUTH', name: 'AUTH-1 title of AUTH-1', time: '0.012' });
  });

  it('maps verdicts to failure, error, skipped, and passes with a note for non-strict', () => {
    const outcomeOf = (id: string) => byId(id).children.map((c) => c.name).filter((n) => n !== 'system-out');
    expect(outcomeOf('TRN-1')).toEqual([]);
    expect(outcomeOf('TRN-2')).toEqual([]);
    expect(childrenNamed(byId('TRN-2'), 'system-out')[0]!.text).toMatch(/^NON-STRICT: /);
    expect(childrenNamed(byId('AUTH-1'), 'failure')[0]!.attrs).toEqual({ message: 'accepted an expired token', type: 'MUST' });
    expect(childrenNamed(byId('AUTH-2'), 'skipped')[0]!.attrs.message).toBe('no refresh endpoint');
    expect(childrenNamed(byId('MSG-1'), 'error')[0]!.attrs.message).toBe('check threw: TypeError');
  });

  it('summarises evidence and the counterexample in system-out', () => {
    const out = childrenNamed(byId('AUTH-1'), 'system-out')[0]!.text;
    expect(out).toContain('rules: AUTH-1, AUTH-3');
    expect(out).toContain('+0ms GET /spec -> 200 in 3ms {"version":"1.0"}');
    expect(out).toContain('+5ms [a] sent CONNECT {"token":"expired"}');
    expect(out).toContain('NOT OK: expected CONNECT_ERROR UNAUTHENTICATED; got CONNECT');
    expect(out).toContain('counterexample after 17 runs: seed=42 path=3:1 value=["exp",-1]');
  });

  it('stays well-formed with hostile text and keeps it readable', () => {
    const hostile = check('TEXT-1', 'fail', { title: HOSTILE, message: HOSTILE, group: HOSTILE, evidence: [{ kind: 'note', t: 1, text: HOSTILE }] });
    const xml = renderJUnit(report([hostile]));
    const testcase = childrenNamed(childrenNamed(parseXml(xml), 'testsuite')[0]!, 'testcase')[0]!;
    const message = childrenNamed(testcase, 'failure')[0]!.attrs.message!;
    expect(message).toContain('</script><img src=x onerror=alert(1)>');
    expect(message).toContain('\\u0000\\u0007\\u001b[31m \\ufffe \\ud800 line\nbreak');
    expect(testcase.attrs.classname).toBe(message);
    expect(escapeXmlAttr('a"b\r\n')).toBe('a&quot;b&#13;&#10;');
  });
});
