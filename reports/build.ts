import { PACKAGE_VERSION, SPEC_NAME, SPEC_VERSION } from '../spec/version.ts';
import { REPORT_SCHEMA_ID, REPORT_SCHEMA_VERSION, type CheckResult, type Report, type RunKind } from './schema.ts';
import { headline } from './headline.ts';
import { runOutcome, summarise } from './verdicts.ts';

export interface ReportInput {
  kind: RunKind;
  target: Report['target'];
  options: Report['options'];
  startedAt: string;
  results: CheckResult[];
}

/** A run's report: its results with the summary and outcome they imply, stamped with this tool and spec (pure but for the finish time). */
export function buildReport(input: ReportInput): Report {
  const outcome = runOutcome(input.results, input.options.strict);
  const line = headline({
    kind: input.kind,
    outcome,
    results: input.results,
    startedByHarness: input.target.startedByHarness,
    strict: input.options.strict,
    require: input.options.require,
  });
  return {
    schema: REPORT_SCHEMA_ID,
    schemaVersion: REPORT_SCHEMA_VERSION,
    kind: input.kind,
    tool: { name: 'sockproof', version: PACKAGE_VERSION },
    spec: { name: SPEC_NAME, version: SPEC_VERSION },
    target: input.target,
    options: input.options,
    startedAt: input.startedAt,
    finishedAt: new Date().toISOString(),
    summary: { ...summarise(input.results.map((r) => r.verdict)), headline: line },
    outcome,
    results: input.results,
  };
}

/** A target the run did not ask for its spec document (chaos, load): only what the runner knows of it. */
export function plainTarget(url: string, startedByHarness: boolean): Report['target'] {
  return { url, specVersion: null, implementation: null, engineIoProtocol: null, startedByHarness };
}

/** Notes a reader should see with a result (figures, problems), as evidence. */
export function notesAsEvidence(lines: readonly string[]): CheckResult['evidence'] {
  return lines.map((text) => ({ kind: 'note' as const, t: 0, text }));
}
