import type { CheckResult, Report, Requirement } from './schema.ts';
import { failsRun, outcomeWords } from './verdicts.ts';

/**
 * What a run proved, in one line: the profiles that passed, what failed, and what was not run with the
 * flags that run it. Every writer shows it first (report.json `summary.headline`, summary.md, report.html,
 * the CLI's last line).
 */

/** The profiles a target can be proven in: each check belongs to those of what it requires. */
export const PROFILES = ['single node', 'multi-node', 'dependencies', 'supervisor'] as const;
export type Profile = (typeof PROFILES)[number];

/** A check that needs no second node, dependency or supervisor proves the single-node profile (--server-cmd included). */
export function profilesOf(result: Pick<CheckResult, 'requires'>): Profile[] {
  const own = (result.requires ?? []).filter((r): r is Exclude<Requirement, 'harness-started'> => r !== 'harness-started');
  return own.length > 0 ? own : ['single node'];
}

/**
 * The flags that give a run a capability; an attached target must be started by the harness for
 * dependencies and the supervisor (C21 gives the supervisor command the server's variables).
 */
export function flagsFor(requirement: Requirement, startedByHarness: boolean): string[] {
  const serverCmd = '--server-cmd "<command that starts your server>"';
  const supervisorCmd = '--supervisor-cmd "<command that starts your server under its supervisor>"';
  switch (requirement) {
    case 'harness-started':
      return [serverCmd];
    case 'multi-node':
      return startedByHarness ? ['--nodes 2', '--deps redis,postgres'] : ['--peer <url of another node>'];
    case 'dependencies':
      return startedByHarness ? ['--deps redis,postgres'] : [serverCmd, '--deps redis,postgres'];
    case 'supervisor':
      return startedByHarness ? [supervisorCmd] : [serverCmd, supervisorCmd];
  }
}

type HeadlineResult = Pick<CheckResult, 'id' | 'level' | 'verdict' | 'requires' | 'missing' | 'blockedBy'>;

export interface HeadlineInput {
  kind: Report['kind'];
  outcome: Report['outcome'];
  results: readonly HeadlineResult[];
  startedByHarness: boolean;
  strict: boolean;
  require?: readonly Requirement[];
}

const notRun = (r: HeadlineResult) => (r.missing?.length ?? 0) > 0 || r.blockedBy !== undefined;

function idList(results: readonly HeadlineResult[]): string {
  const MAX_IDS = 6;
  const ids = results.slice(0, MAX_IDS).map((r) => r.id).join(', ');
  return results.length > MAX_IDS ? `${ids}, …` : ids;
}

/** The profiles whose every check ran and passed (a target-declared `unimplemented` does not spoil one). */
export function provenProfiles(results: readonly HeadlineResult[], strict: boolean): Profile[] {
  return PROFILES.filter((p) => {
    const own = results.filter((r) => profilesOf(r).includes(p));
    return own.length > 0 && own.every((r) => !notRun(r) && !failsRun(r, strict));
  });
}

/** The headline of a report (pure). */
export function headline(input: HeadlineInput): string {
  const { results } = input;
  const noun = input.kind === 'conformance' ? 'checks' : input.kind === 'chaos' ? 'scenarios' : 'runs';
  const passed = results.filter((r) => r.verdict === 'pass' || r.verdict === 'non-strict').length;
  const proven = input.outcome === 'pass' && input.kind === 'conformance' ? provenProfiles(results, input.strict) : [];
  const parts = [`${outcomeWords(input)}${proven.length > 0 ? `, ${proven.join(' + ')}` : ''}: ${passed} of ${results.length} ${noun} passed`];

  const failedRan = results.filter((r) => !notRun(r) && failsRun(r, input.strict));
  if (failedRan.length > 0) parts.push(`${failedRan.length} failed (${idList(failedRan)})`);
  const lacking = results.filter((r) => !notRun(r) && r.verdict === 'unimplemented');
  if (lacking.length > 0) parts.push(`${lacking.length} unimplemented (${idList(lacking)})`);

  const byBlocker = new Map<string, HeadlineResult[]>();
  for (const r of results) if (r.blockedBy !== undefined) byBlocker.set(r.blockedBy, [...(byBlocker.get(r.blockedBy) ?? []), r]);
  for (const [blocker, blocked] of byBlocker) parts.push(`${blocked.length} blocked by ${blocker}`);

  const missing = results.filter((r) => r.blockedBy === undefined && (r.missing?.length ?? 0) > 0);
  if (missing.length > 0) {
    const required = new Set(input.require ?? []);
    const requiredMissing = missing.filter((r) => r.missing!.some((m) => required.has(m)));
    const requiredNames = [...required].filter((q) => requiredMissing.some((r) => r.missing!.includes(q)));
    const failedNote = requiredMissing.length > 0 ? `, ${requiredMissing.length} of them failed as required by --require ${requiredNames.join(',')} (${idList(requiredMissing)})` : '';
    const flags = [...new Set(missing.flatMap((r) => r.missing!.flatMap((m) => flagsFor(m, input.startedByHarness))))];
    parts.push(`${missing.length} not run${failedNote}; run them with: sockproof conformance ${flags.join(' ')}`);
  }
  return parts.join('; ');
}

/** A report's headline: the one it carries, or (a report written before headlines) made from its results. */
export function reportHeadline(report: Report): string {
  return (
    report.summary.headline ??
    headline({
      kind: report.kind,
      outcome: report.outcome,
      results: report.results,
      startedByHarness: report.target.startedByHarness,
      strict: report.options.strict,
      require: report.options.require,
    })
  );
}
