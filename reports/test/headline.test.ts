import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flagsFor, headline, profilesOf, provenProfiles, type HeadlineInput } from '../headline.ts';
import { Level, Requirement, Verdict, type CheckResult } from '../schema.ts';
import { failUnmetRequirements, runOutcome } from '../verdicts.ts';
import { check } from './fixtures.ts';

const requirement = fc.constantFrom(...Requirement.options);
const result = fc.record({
  id: fc.stringMatching(/^[CPS]\d\d$/),
  level: fc.constantFrom(...Level.options),
  verdict: fc.constantFrom(...Verdict.options),
  requires: fc.option(fc.uniqueArray(requirement, { maxLength: 2 }), { nil: undefined }),
  notRun: fc.constantFrom('ran', 'missing', 'blocked'),
});

/** A result as the runner makes it: a check not run for a missing requirement or a blocker is `unimplemented`. */
function toResult(r: { id: string; level: Level; verdict: Verdict; requires: Requirement[] | undefined; notRun: string }): CheckResult {
  const requires = r.requires?.length ? r.requires : undefined;
  if (r.notRun === 'missing' && requires) return check(r.id, 'unimplemented', { level: r.level, requires, missing: requires });
  if (r.notRun === 'blocked') return check(r.id, 'unimplemented', { level: r.level, requires, blockedBy: 'V01' });
  return check(r.id, r.verdict, { level: r.level, requires });
}

function input(results: CheckResult[], extra: Partial<HeadlineInput> = {}): HeadlineInput {
  return { kind: 'conformance', outcome: runOutcome(results, false), results, startedByHarness: true, strict: false, ...extra };
}

const passing = (n: number, overrides: Partial<CheckResult> = {}) => Array.from({ length: n }, (_, i) => check(`C${String(i).padStart(2, '0')}`, 'pass', overrides));

describe('the headline: what a run proved, at a glance', () => {
  it('names the profiles proven, what was not run and the command that runs it', () => {
    const results = [
      ...passing(44),
      ...Array.from({ length: 6 }, (_, i) => check(`S1${i}`, 'unimplemented', { requires: ['multi-node'], missing: ['multi-node'], message: 'needs multi-node' })),
      ...Array.from({ length: 3 }, (_, i) => check(`C1${i}`, 'unimplemented', { requires: ['dependencies'], missing: ['dependencies'] })),
    ];
    expect(headline(input(results))).toBe('conformant, single node: 44 of 53 checks passed; 9 not run; run them with: sockproof conformance --nodes 2 --deps redis,postgres');
  });

  it('lists every profile whose checks all ran and passed', () => {
    const results = [...passing(3), check('S13', 'pass', { requires: ['multi-node'] }), check('C12', 'pass', { requires: ['dependencies'] }), check('C21', 'unimplemented', { requires: ['supervisor'], missing: ['supervisor'] })];
    expect(headline(input(results))).toBe('conformant, single node + multi-node + dependencies: 5 of 6 checks passed; 1 not run; run them with: sockproof conformance --supervisor-cmd "<command that starts your server under its supervisor>"');
  });

  it('an attached target is told the flags an attached target needs', () => {
    const results = [...passing(2), check('C14', 'unimplemented', { requires: ['harness-started'], missing: ['harness-started'] }), check('S13', 'unimplemented', { requires: ['multi-node'], missing: ['multi-node'] })];
    const line = headline(input(results, { startedByHarness: false }));
    expect(line).toContain('sockproof conformance --server-cmd "<command that starts your server>" --peer <url of another node>');
    // C14 belongs to single node: not run, so single node is not proven.
    expect(line).toMatch(/^conformant: 2 of 4 checks passed; 2 not run/);
  });

  it('a failed run names what failed and what was blocked', () => {
    const results = [check('V01', 'fail'), check('P01', 'pass'), check('P04', 'pass'), ...Array.from({ length: 5 }, (_, i) => check(`S0${i}`, 'unimplemented', { blockedBy: 'V01' }))];
    expect(headline(input(results))).toBe('not conformant: 2 of 8 checks passed; 1 failed (V01); 5 blocked by V01');
  });

  it('--require turns the checks not run for lack of a required capability into failures, and says so', () => {
    const results = [...passing(2), check('C21', 'unimplemented', { requires: ['supervisor'], missing: ['supervisor'], message: 'needs supervisor' }), check('S13', 'unimplemented', { requires: ['multi-node'], missing: ['multi-node'] })];
    const gated = failUnmetRequirements(results, ['supervisor']);
    expect(gated.map((r) => r.verdict)).toEqual(['pass', 'pass', 'fail', 'unimplemented']);
    expect(gated[2]!.message).toBe('required by --require supervisor but not run: needs supervisor');
    expect(runOutcome(gated, false)).toBe('fail');
    expect(headline(input(gated, { require: ['supervisor'] }))).toBe(
      'not conformant: 2 of 4 checks passed; 2 not run, 1 of them failed as required by --require supervisor (C21); run them with: sockproof conformance --supervisor-cmd "<command that starts your server under its supervisor>" --nodes 2 --deps redis,postgres',
    );
  });

  it('other runs say how many of their scenarios passed', () => {
    expect(headline({ ...input([check('a', 'pass'), check('b', 'fail')]), kind: 'chaos' })).toBe('chaos failed: 1 of 2 scenarios passed; 1 failed (b)');
  });

  it('properties: the counts add up, every missing capability is in the command, a profile is proven only by its own passing checks', () => {
    fc.assert(
      fc.property(fc.array(result, { maxLength: 30 }), fc.boolean(), fc.uniqueArray(requirement), (raw, startedByHarness, required) => {
        const results = failUnmetRequirements(raw.map(toResult), required);
        const line = headline(input(results, { startedByHarness, require: required }));
        const outcome = runOutcome(results, false);
        expect(line.startsWith(outcome === 'pass' ? 'conformant' : 'not conformant')).toBe(true);
        const passed = results.filter((r) => r.verdict === 'pass' || r.verdict === 'non-strict').length;
        expect(line).toContain(`: ${passed} of ${results.length} checks passed`);
        const missing = results.filter((r) => r.missing?.length && !r.blockedBy);
        if (missing.length) {
          expect(line).toContain(`${missing.length} not run`);
          for (const m of missing.flatMap((r) => r.missing!)) for (const flag of flagsFor(m, startedByHarness)) expect(line).toContain(flag);
        } else expect(line).not.toContain('not run');
        const blocked = results.filter((r) => r.blockedBy).length;
        if (blocked) expect(line).toContain(`${blocked} blocked by V01`);
        // Failures of a required capability are failures of the run.
        if (missing.some((r) => r.missing!.some((m) => required.includes(m)))) expect(outcome).toBe('fail');
        for (const p of provenProfiles(results, false)) {
          const own = results.filter((r) => profilesOf(r).includes(p));
          expect(own.length).toBeGreaterThan(0);
          for (const r of own) expect(['pass', 'non-strict', 'unimplemented', ...(r.level === 'MUST' ? [] : ['inconclusive'])]).toContain(r.verdict);
          for (const r of own) expect(r.missing ?? r.blockedBy).toBeUndefined();
        }
      }),
    );
  });
});

describe('every writer shows the headline first', () => {
  it('Markdown under its heading, HTML under its title; a report from before headlines gets one made', async () => {
    const { renderMarkdown } = await import('../markdown.ts');
    const { renderHtml } = await import('../html.ts');
    const { report } = await import('./fixtures.ts');
    const old = report([check('P01', 'pass'), check('C21', 'unimplemented', { requires: ['supervisor'], missing: ['supervisor'] })]);
    const md = renderMarkdown(old).split('\n');
    expect(md[2]).toBe('**conformant, single node: 1 of 2 checks passed; 1 not run; run them with: sockproof conformance --supervisor-cmd "&lt;command that starts your server under its supervisor&gt;"**');
    const stated = report([check('P01', 'pass')], { summary: { total: 1, pass: 1, fail: 0, nonStrict: 0, unimplemented: 0, inconclusive: 0, headline: 'as the run said' } });
    expect(renderMarkdown(stated).split('\n')[2]).toBe('**as the run said**');
    expect(renderHtml(stated)).toMatch(/<\/h1>\n<p class="headline"><strong>[^<]*<\/strong>: as the run said<\/p>/);
  });
});
