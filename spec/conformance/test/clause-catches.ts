import { expect } from 'vitest';
import type { CheckResult, Report } from '../../../reports/schema.ts';
import { verdicts } from './harness.ts';

/** A faulty build and the step of a check that must fail on it (README "Rule clause → check → faulty build"). */
export type Catch = { fault: string; check: string; step: RegExp };

/** The expectations a check recorded as not met; for V01, which records none, its message. */
export function failedSteps(r: CheckResult | undefined): string[] {
  const steps = (r?.evidence ?? []).flatMap((e) => (e.kind === 'expect' && !e.ok ? [e.expected] : []));
  return steps.length === 0 && r?.id === 'V01' && r.verdict === 'fail' ? [r.message] : steps;
}

/**
 * Asserts a run of a group of faults sharing one start: each catch's check fails, at a step its pattern
 * names, and every control passes.
 */
export function expectCaught(report: Report, catches: Catch[], passes: string[]): void {
  const fails = [...new Set(catches.map((c) => c.check))];
  const v = verdicts(report);
  const byId = new Map(report.results.map((r) => [r.id, r]));
  const shown = report.results.map((r) => `${r.id} ${r.verdict}: ${r.message}\n    failed: ${failedSteps(r).join(' | ')}`).join('\n');
  expect(Object.fromEntries([...fails, ...passes].map((id) => [id, v[id]])), shown).toEqual(Object.fromEntries([...fails.map((id) => [id, 'fail']), ...passes.map((id) => [id, 'pass'])]));
  const missed = catches.filter((c) => !failedSteps(byId.get(c.check)).some((step) => c.step.test(step))).map((c) => `${c.fault}: no failed step of ${c.check} matches ${c.step}`);
  expect(missed.join('\n'), shown).toBe('');
  expect(report.outcome).toBe('fail');
}
