import { ALL_CHECKS, selectChecks } from '../registry.ts';
import { runConformance, type RunOptions } from '../runner.ts';
import { FAST_REFERENCE_ENV } from '../../../cli/conformance.ts';
import type { Report, Verdict } from '../../../reports/schema.ts';
import { seedDataDir } from '../../../testing/pglite-template.ts';
import { referenceServerCommand, referenceSupervisorCommand } from '../../../testbed/targets/target-process.ts';


/** Runs checks against a reference server the harness starts, with the fast timings and optional faults. */
export function runAgainstReference(
  only: string[],
  opts: { faults?: string[]; env?: Record<string, string>; propertyRuns?: number; extra?: Partial<RunOptions> } = {},
): Promise<Report> {
  const reference = referenceServerCommand();
  const env: Record<string, string> = { ...FAST_REFERENCE_ENV, ...opts.env };
  if (opts.faults?.length) env.SOCKPROOF_FAULTS = opts.faults.join(',');
  return runConformance({
    // Seeded from the run's migrated store: a fresh PGlite costs seconds of CPU per run.
    target: { kind: 'command', command: reference.command, cwd: reference.cwd, env, prepareDataDir: seedDataDir },
    checks: only.length ? selectChecks({ only, level: 'all' }) : ALL_CHECKS,
    only,
    level: 'all',
    strict: false,
    repeat: 1,
    propertyRuns: opts.propertyRuns ?? 30,
    seed: 42,
    // As `sockproof conformance` runs the reference server: C21 under the project's supervisor.
    supervisorCommand: referenceSupervisorCommand(),
    ...opts.extra,
  });
}

export function verdicts(report: Report): Record<string, Verdict> {
  return Object.fromEntries(report.results.map((r) => [r.id, r.verdict]));
}

export function failures(report: Report): string[] {
  return report.results.filter((r) => r.verdict === 'fail' || r.verdict === 'inconclusive').map((r) => `${r.id}: ${r.message}`);
}
