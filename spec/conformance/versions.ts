import { ENGINE_IO_PROTOCOL, SPEC_NAME, SPEC_VERSION } from '../version.ts';
import type { CheckResult, Evidence } from '../../reports/schema.ts';
import { verdictOf, type Observation } from '../../reports/verdicts.ts';

/** What the preflight found: what the target states in GET /spec, or why it stated nothing. */
export type VersionsFound = ({ specName: string; specVersion: string } | { specProblem: string }) & { engineIoProtocol: number | null };

/** What the target says it speaks, against what this harness checks (pure). */
export function versionOutcome(found: VersionsFound): { outcome: Observation; message: string } {
  const problems: string[] = [];
  if ('specProblem' in found) problems.push(found.specProblem);
  else if (found.specName !== SPEC_NAME || found.specVersion !== SPEC_VERSION) problems.push(`target states ${found.specName} ${found.specVersion}, harness checks ${SPEC_NAME} ${SPEC_VERSION}`);
  if (found.engineIoProtocol !== ENGINE_IO_PROTOCOL) problems.push(`Engine.IO protocol ${found.engineIoProtocol ?? 'unknown'} (expected ${ENGINE_IO_PROTOCOL})`);
  return problems.length === 0
    ? { outcome: 'pass', message: `${SPEC_NAME} ${SPEC_VERSION} over Engine.IO ${ENGINE_IO_PROTOCOL} (Socket.IO protocol 5)` }
    : { outcome: 'fail', message: problems.join('; ') };
}

/** V01, the check every run starts with: the preflight's findings as a result, with its evidence and the run's notes. */
export function versionCheckResult(found: VersionsFound, evidence: Evidence[], strict: boolean): CheckResult {
  const run = versionOutcome(found);
  return {
    id: 'V01',
    title: `The target states ${SPEC_NAME} ${SPEC_VERSION} in GET /spec and speaks Engine.IO ${ENGINE_IO_PROTOCOL}`,
    group: 'Protocol',
    level: 'MUST',
    rules: ['SPECDOC-1', 'TRN-1'],
    verdict: verdictOf(run.outcome, 'MUST', strict),
    message: run.message,
    durationMs: 0,
    evidence,
  };
}
