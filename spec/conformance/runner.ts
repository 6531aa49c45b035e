import { randomBytes } from 'node:crypto';
import { buildReport } from '../../reports/build.ts';
import type { CheckResult, Evidence, Report, Requirement } from '../../reports/schema.ts';
import { failUnmetRequirements, verdictOf } from '../../reports/verdicts.ts';
import { requirementsOf, type Check, type CheckRun } from './check.ts';
import { CheckContext, type Capabilities } from './context.ts';
import { DependencyStartError, HarnessDependencies, type DependencyName } from './dependencies.ts';
import { redactUrlsIn } from '../redact.ts';
import { HarnessError } from './harness-error.ts';
import { harnessCredentials, harnessLimitsFor, relaxLimits, restoreLimits } from './harness-limits.ts';
import { preflight } from './preflight.ts';
import { ensureRunning, runCheck, settleAfter } from './run-check.ts';
import { progressLine, RunResults } from './run-results.ts';
import { attachedTarget, startedTarget, TargetProcess, TargetStartError, type Target, type TargetCommand } from './target.ts';
import { versionCheckResult } from './versions.ts';
import { EvidenceRecorder } from './wire/evidence.ts';

export { HarnessError };

export type TargetSpec =
  | { kind: 'url'; url: string }
  | ({ kind: 'command' } & Pick<TargetCommand, 'command' | 'cwd' | 'env' | 'startTimeoutMs' | 'prepareDataDir'>);

export interface RunOptions {
  target: TargetSpec;
  jwtSecret?: string;
  adminToken?: string;
  privateKey?: { file: string; alg: 'RS256' | 'ES256'; kid?: string };
  checks: readonly Check[];
  only: string[];
  level: 'must' | 'should' | 'all';
  strict: boolean;
  repeat: number;
  propertyRuns: number;
  seed?: number;
  peers?: string[];
  /** Harness-started targets only: throw-away dependencies behind a fault proxy (--deps). */
  deps?: DependencyName[];
  /** Harness-started targets only: how many target processes to start together (--nodes; needs deps). */
  nodes?: number;
  /**
   * Harness-started targets only: a command that starts the target under its supervisor (--supervisor-cmd).
   * C21 runs it beside the target with the target's variables and a fixed PORT, and makes it exit fatally.
   */
  supervisorCommand?: string;
  /** --require: checks not run for lack of these fail the run (a CI gate). */
  require?: Requirement[];
  /** Said in the report (e.g. timings shortened for a fast run). */
  notes?: string[];
  onProgress?: (line: string) => void;
}

/** Runs the selected checks against the target and returns the native report. */
export async function runConformance(opts: RunOptions): Promise<Report> {
  const startedAt = new Date().toISOString();
  const nodes = opts.nodes ?? 1;
  const deps = opts.deps ?? [];
  if (opts.target.kind === 'url' && (deps.length > 0 || nodes > 1)) throw new HarnessError('--deps and --nodes need a target the harness starts (--server-cmd or the default reference server); use --peer for an attached one');
  if (nodes > 1 && !(deps.includes('redis') && deps.includes('postgres'))) throw new HarnessError('--nodes 2 needs --deps redis,postgres (the nodes share Redis and PostgreSQL)');
  if (opts.target.kind === 'url' && opts.supervisorCommand !== undefined) throw new HarnessError('--supervisor-cmd needs a target the harness starts (--server-cmd or the default reference server): the supervisor gets its variables');
  let dependencies: HarnessDependencies | undefined;
  if (deps.length > 0) {
    try {
      dependencies = await HarnessDependencies.start(deps);
    } catch (err) {
      if (err instanceof DependencyStartError) throw new HarnessError(err.message);
      throw err;
    }
  }
  const extraNodes: TargetProcess[] = [];
  let target: Target | undefined;
  try {
    const started = await resolveTarget(opts, nodes, dependencies?.targetEnv ?? {});
    target = started.target;
    extraNodes.push(...started.extraNodes);
    const deployment: Deployment = {
      nodesStartedTogether: started.extraNodes.length + started.nodeStartFailures.length > 0 ? nodes : 1,
      freshDatabase: deps.includes('postgres'),
      nodeStartFailures: started.nodeStartFailures,
    };
    const notes = [...(opts.notes ?? [])];
    if (dependencies) notes.push(`dependencies: ${deps.join(', ')} started by the harness behind a fault proxy; target env ${redactUrlsIn(JSON.stringify(dependencies.targetEnv))}`);
    if (opts.supervisorCommand !== undefined) notes.push(`supervisor: C21 starts the target under ${JSON.stringify(opts.supervisorCommand)}`);
    if (nodes > 1) notes.push(`${nodes} target nodes started together on a fresh database; other nodes: ${extraNodes.map((n) => n.url).join(', ')}${started.nodeStartFailures.length ? `; failed: ${started.nodeStartFailures.join('; ')}` : ''}`);
    return await runAgainst(target, { ...opts, notes, peers: [...(opts.peers ?? []), ...extraNodes.map((n) => n.url)] }, startedAt, dependencies, deployment);
  } finally {
    await dependencies?.healAll().catch(() => undefined);
    await Promise.all([target?.process?.stop(), ...extraNodes.map((n) => n.stop())]);
    await dependencies?.stop();
  }
}

/** How a harness-started deployment came up (NODE-4 reads it). */
export interface Deployment {
  nodesStartedTogether: number;
  freshDatabase: boolean;
  /** Nodes after the first that did not come up, with why. */
  nodeStartFailures: string[];
}

async function resolveTarget(opts: RunOptions, nodes: number, depsEnv: Record<string, string>): Promise<{ target: Target; extraNodes: TargetProcess[]; nodeStartFailures: string[] }> {
  if (opts.target.kind === 'url') return { target: attachedTarget(opts.target.url), extraNodes: [], nodeStartFailures: [] };
  const spec = opts.target;
  const jwtSecret = opts.jwtSecret ?? (nodes > 1 ? randomBytes(36).toString('base64url') : undefined);
  // Every node at once, as a deployment starts: their migrations race on the fresh database (NODE-4).
  const started = await Promise.allSettled(
    Array.from({ length: nodes }, (_, i) =>
      TargetProcess.start({
        command: spec.command,
        cwd: spec.cwd,
        env: { ...spec.env, ...depsEnv, ...(nodes > 1 ? { NODE_ID: `node-${i + 1}` } : {}) },
        jwtSecret,
        startTimeoutMs: spec.startTimeoutMs,
        prepareDataDir: spec.prepareDataDir,
      }),
    ),
  );
  // The target is the first node that came up: which of nodes started together fails (a migration race,
  // NODE-4) is chance, and S15 reports it; only when none came up could the harness not run.
  const up = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (up.length === 0) {
    const err = (started[0] as PromiseRejectedResult).reason as unknown;
    if (err instanceof TargetStartError) throw new HarnessError(err.message);
    throw err;
  }
  const nodeStartFailures = started.flatMap((r, i) => (r.status === 'rejected' ? [`node-${i + 1}: ${(r.reason as Error).message}`] : []));
  return { target: startedTarget(up[0]!), extraNodes: up.slice(1), nodeStartFailures };
}

/** A check's result from how its run ended: its level makes the verdict, its needs name its profile. */
function resultOf(check: Check, run: CheckRun, durationMs: number, evidence: Evidence[], strict: boolean): CheckResult {
  const requires = requirementsOf(check.needs ?? []);
  return {
    id: check.id,
    title: check.title,
    group: check.group,
    level: check.level,
    rules: [...check.rules],
    verdict: verdictOf(run.outcome, check.level, strict),
    message: run.message,
    durationMs,
    evidence,
    ...(requires.length ? { requires } : {}),
    ...(run.missing?.length ? { missing: run.missing } : {}),
    ...(run.counterexample ? { counterexample: run.counterexample } : {}),
  };
}

/** A check that needs the spec document, not run because V01 found none. */
function blockedByV01(check: Check, specProblem: string, strict: boolean): CheckResult {
  return { ...resultOf(check, { outcome: 'unimplemented', message: `blocked by V01: ${specProblem}` }, 0, [], strict), blockedBy: 'V01' };
}

/**
 * One run against a reachable target: preflight and V01, credentials, relaxed limits, the checks (repeated),
 * the report. A target without a spec document still gets every check that needs only Socket.IO; the others
 * are blocked by V01.
 */
async function runAgainst(target: Target, opts: RunOptions, startedAt: string, dependencies: HarnessDependencies | undefined, deployment: Deployment): Promise<Report> {
  const preflightEvidence = new EvidenceRecorder();
  const found = await preflight(target.url, preflightEvidence);
  const { spec, engineIoProtocol } = found;
  const { tokens, adminToken } = await harnessCredentials(spec, { ...opts, jwtSecret: opts.jwtSecret ?? target.process?.jwtSecret });
  const nodeUrls = [target.url, ...(opts.peers ?? [])];
  const harnessLimits = spec ? harnessLimitsFor(spec) : {};
  const relax = () => relaxLimits(nodeUrls, adminToken, harnessLimits, preflightEvidence, (line) => opts.onProgress?.(line));
  // FIX-3: a target without fixtures keeps its limits; the checks that need fixtures are not run.
  if (spec?.features.fixtures) {
    await relax();
    // Limits do not survive a restart: every restart of a started target puts them back.
    target.process?.afterRestart.push(relax);
  } else if (spec) preflightEvidence.note('the target serves no fixtures (features.fixtures false, FIX-3): its limits are left as they are, and the checks that set up their scene through fixtures are not run');

  const v01 = versionCheckResult(
    spec ? { specName: spec.spec, specVersion: spec.version, engineIoProtocol } : { specProblem: found.specProblem, engineIoProtocol },
    [...preflightEvidence.finish(), ...(opts.notes ?? []).map((text) => ({ kind: 'note' as const, t: 0, text }))],
    opts.strict,
  );
  opts.onProgress?.(progressLine(0, opts.checks.length, v01));

  const capabilities: Capabilities = { harnessStarted: target.startedByHarness, dependencies, peers: opts.peers ?? [], deployment, supervisorCommand: opts.supervisorCommand };
  const runTag = randomBytes(4).toString('hex');
  const results = new RunResults(opts.repeat);
  for (let round = 0; round < opts.repeat; round++) {
    for (const [i, check] of opts.checks.entries()) {
      let result: CheckResult;
      if (found.spec === null && (check.foundation ?? 'sockproof') === 'sockproof') result = blockedByV01(check, found.specProblem, opts.strict);
      else {
        await ensureRunning(target, check.id);
        const ctx = new CheckContext(check.id, target, spec, tokens, adminToken, capabilities, { propertyRuns: opts.propertyRuns, seed: opts.seed, runTag: `${runTag}${round}` }, harnessLimits);
        const startedMs = performance.now();
        const finished = await runCheck(check, ctx);
        const durationMs = Math.round(performance.now() - startedMs);
        const run = await settleAfter(check, finished, ctx, target, dependencies);
        result = resultOf(check, run, durationMs, ctx.recorder.finish(), opts.strict);
      }
      results.add(result);
      opts.onProgress?.(progressLine(i + 1, opts.checks.length, result, opts.repeat > 1 ? round + 1 : undefined));
    }
  }
  if (spec?.features.fixtures) await restoreLimits(nodeUrls, adminToken);

  const require = opts.require ?? [];
  return buildReport({
    kind: 'conformance',
    target: { url: target.url, specVersion: spec?.version ?? null, implementation: spec?.implementation ?? null, engineIoProtocol, startedByHarness: target.startedByHarness },
    options: { level: opts.level, strict: opts.strict, only: opts.only, repeat: opts.repeat, ...(require.length ? { require } : {}) },
    startedAt,
    results: failUnmetRequirements([v01, ...results.list()], require),
  });
}
