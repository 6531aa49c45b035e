import { buildReport, notesAsEvidence, plainTarget } from '../reports/build.ts';
import { renderTimeline } from '../reports/timeline.ts';
import { recoveryOf, renderRecoveryHtml, type RecoveryFigures } from '../reports/recovery-table.ts';
import type { CheckResult, Report } from '../reports/schema.ts';
import { keyFigures } from './verdict-table.ts';
import type { ScenarioName, ScenarioResult } from './scenario.ts';
import { DEPENDENCY_SCENARIO_TABLE } from './scenarios/dependencies/index.ts';

/** What each scenario proves, in the words of the spec (chaos/README.md). */
const SCENARIO: Record<ScenarioName, { title: string; rules: string[] }> = {
  latency: { title: 'Under added network latency every acked message is stored exactly once', rules: ['DUR-1', 'MSG-4'] },
  partition: { title: 'A network cut loses no acked message; retries after it never store twice', rules: ['DUR-2', 'MSG-4'] },
  kill: { title: 'An acked message survives a SIGKILL and restart exactly once', rules: ['DUR-1', 'DUR-2'] },
  ...DEPENDENCY_SCENARIO_TABLE,
  nemesis: {
    title: 'Under a schedule of kills, pauses, partitions and latency (on the two-node deployment: kills and pauses of either node, Redis and database faults) every history checker is valid, and each heal recovers within the bounds',
    rules: ['DUR-1', 'DUR-2', 'MSG-4', 'MSG-6', 'DEG-2', 'DEG-3', 'BRK-2', 'HLTH-2', 'NODE-1'],
  },
};

/** A chaos run as a report: a MUST result per scenario, its figures kept as data and as notes. */
export function chaosReport(run: { results: readonly ScenarioResult[]; url: string; startedByHarness: boolean; startedAt: string; notes: readonly string[] }): Report {
  const results = run.results.map((r): CheckResult => {
    const figures = { ...r.figures, ...(r.history ? { history: r.history } : {}), ...(r.checkers ? { checkers: r.checkers } : {}) };
    return {
      id: r.name.toUpperCase(),
      title: SCENARIO[r.name].title,
      group: 'Chaos',
      level: 'MUST',
      rules: SCENARIO[r.name].rules,
      verdict: r.verdict,
      message: r.reason,
      durationMs: Math.round(r.durationS * 1000),
      evidence: notesAsEvidence([keyFigures(r), ...(r.history?.firstProblems ?? []), ...run.notes].filter(Boolean)),
      figures,
    };
  });
  return buildReport({
    kind: 'chaos',
    target: plainTarget(run.url, run.startedByHarness),
    options: { level: 'must', strict: false, only: run.results.map((r) => r.name), repeat: 1 },
    startedAt: run.startedAt,
    results,
  });
}

function healthyAt(r: RecoveryFigures): number[] {
  return r.heals.flatMap((h) => (h.healMs !== null && typeof h.healthyMs === 'number' ? [h.healMs + h.healthyMs] : []));
}

/** The HTML report's timeline of each scenario that recorded a history (reports/timeline.ts). */
export function chaosTimelines(results: readonly ScenarioResult[]): string[] {
  return results.flatMap((r) => {
    const recovery = recoveryOf(r.figures);
    return [
      ...(r.recorded ? [renderTimeline({ name: r.name, endMs: r.recorded.endMs, ops: r.recorded.ops, checkers: r.checkers ?? [], ...(recovery ? { healthyAtMs: healthyAt(recovery) } : {}) })] : []),
      ...(recovery ? [renderRecoveryHtml(r.name, recovery)] : []),
    ];
  });
}
