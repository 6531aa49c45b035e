import { randomBytes } from 'node:crypto';
import { REPORT_SCHEMA_ID, REPORT_SCHEMA_VERSION, type CheckResult, type Report, type Verdict } from '../../reports/schema.ts';
import { HTTP_PATHS, SpecDocument } from '../http.ts';
import type { PartialRateLimitTable, RateLimitName } from '../limits.ts';
import { SPEC_NAME, SPEC_VERSION } from '../version.ts';
import type { Check, CheckRun } from './check.ts';
import { CheckContext, type Capabilities } from './context.ts';
import { HttpProbe, HttpUnreachable } from './http.ts';
import { attachedTarget, startedTarget, TargetProcess, TargetStartError, type Target, type TargetCommand } from './target.ts';
import { DependencyStartError, HarnessDependencies, type DependencyName } from './dependencies.ts';
import { privateKeyMinter, secretMinter, type TokenMinter } from './tokens.ts';
import { versionOutcome } from './versions.ts';
import { redactUrl } from '../redact.ts';
import { runOutcome, summarise, verdictOf, worstVerdict } from './verdict.ts';
import { EvidenceRecorder } from './wire/evidence.ts';
import { PollingSession } from './wire/polling.ts';

export const TOOL_VERSION = '0.1.0';
const DEFAULT_CHECK_TIMEOUT_MS = 60_000;

/** The harness could not run at all (exit status 2): one line, no stack. */
export class HarnessError extends Error {
  override name = 'HarnessError';
}

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
    if (dependencies) notes.push(`dependencies: ${deps.join(', ')} started by the harness behind a fault proxy; target env ${JSON.stringify(redactUrls(dependencies.targetEnv))}`);
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
  const first = started[0]!;
  const rest = started.slice(1);
  const extraNodes = rest.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (first.status === 'rejected') {
    await Promise.all(extraNodes.map((n) => n.stop()));
    const err = first.reason as unknown;
    if (err instanceof TargetStartError) throw new HarnessError(err.message);
    throw err;
  }
  const nodeStartFailures = rest.flatMap((r, i) => (r.status === 'rejected' ? [`node-${i + 2}: ${(r.reason as Error).message}`] : []));
  return { target: startedTarget(first.value), extraNodes, nodeStartFailures };
}

/** Service URLs without passwords, for the report: pure. */
function redactUrls(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, /^[a-z]+:\/\//.test(v) ? redactUrl(v) : v]));
}

async function runAgainst(target: Target, opts: RunOptions, startedAt: string, dependencies: HarnessDependencies | undefined, deployment: Deployment): Promise<Report> {
  const preflight = new EvidenceRecorder();
  const http = new HttpProbe(target.url, preflight);
  let specRes;
  try {
    specRes = await http.get(HTTP_PATHS.spec);
  } catch (err) {
    if (err instanceof HttpUnreachable) throw new HarnessError(`target unreachable at ${target.url} (${err.message})`);
    throw err;
  }
  const parsedSpec = SpecDocument.safeParse(specRes.body);
  if (!parsedSpec.success) throw new HarnessError(`GET ${target.url}${HTTP_PATHS.spec} answered ${specRes.status} without a sockproof SpecDocument; is this a sockproof target?`);
  const spec = parsedSpec.data;
  const eio = await PollingSession.handshake(target.url, spec.transport.path, preflight, 'preflight').catch(() => ({ session: undefined }));
  const engineIoProtocol = eio.session ? 4 : null;

  const claims = { ...(spec.auth.issuer ? { issuer: spec.auth.issuer } : {}), ...(spec.auth.audience ? { audience: spec.auth.audience } : {}) };
  // A private key given names the target's trust: a harness-started target also gets a JWT_SECRET,
  // which a JWKS-verifying target does not use.
  const secret = opts.jwtSecret ?? target.process?.jwtSecret;
  let tokens: TokenMinter;
  if (opts.privateKey) tokens = await privateKeyMinter(opts.privateKey.file, opts.privateKey.alg, opts.privateKey.kid, claims);
  else if (secret) tokens = secretMinter(secret, claims);
  else throw new HarnessError('no way to mint user tokens: pass --jwt-secret, or --jwks-private-key with the key the target\'s JWKS publishes');
  const adminToken = opts.adminToken ?? (await tokens.mint({ sub: `sockproof-admin-${randomBytes(3).toString('hex')}`, roles: ['admin'], ttlSec: 6 * 3600 }));

  const harnessLimits: PartialRateLimitTable = Object.fromEntries(
    (Object.entries(spec.limits.rateLimits) as Array<[RateLimitName, { durationMs: number }]>).map(([name, rule]) => [name, { points: 1_000_000, durationMs: rule.durationMs }]),
  );
  // Every node gets the relaxed table: a node may keep its limit table to itself.
  const relax = async () => {
    for (const url of [target.url, ...(opts.peers ?? [])]) {
      const res = await new HttpProbe(url, preflight).send({ method: 'PUT', path: HTTP_PATHS.adminLimits, token: adminToken, body: harnessLimits });
      if (res.status === 401 || res.status === 403) throw new HarnessError(`the target refused the harness's admin token (PUT ${url}${HTTP_PATHS.adminLimits} answered ${res.status}); check --jwt-secret or --admin-token`);
      if (res.status !== 200) opts.onProgress?.(`warning: PUT ${url}${HTTP_PATHS.adminLimits} answered ${res.status}; rate limits may throttle the harness`);
    }
  };
  await relax();
  target.process?.afterRestart.push(relax);

  const capabilities: Capabilities = { harnessStarted: target.startedByHarness, dependencyControl: dependencies !== undefined, dependencies, supervisor: false, peers: opts.peers ?? [], deployment };
  const runTag = randomBytes(4).toString('hex');
  const versionRun = versionOutcome({ specName: spec.spec, specVersion: spec.version, engineIoProtocol });
  const versionResult: CheckResult = {
    id: 'V01',
    title: `The target states ${SPEC_NAME} ${SPEC_VERSION} in GET /spec and speaks Engine.IO 4`,
    group: 'Protocol',
    level: 'MUST',
    rules: ['SPECDOC-1', 'TRN-1'],
    verdict: verdictOf(versionRun.outcome, 'MUST', opts.strict),
    message: versionRun.message,
    durationMs: 0,
    evidence: [...preflight.finish(), ...(opts.notes ?? []).map((text) => ({ kind: 'note' as const, t: 0, text }))],
  };
  opts.onProgress?.(progressLine(0, opts.checks.length, versionResult));

  const results: CheckResult[] = [];
  for (let round = 0; round < opts.repeat; round++) {
    for (const [i, check] of opts.checks.entries()) {
      if (target.process && !target.process.isRunning) {
        // restart() runs relax() again (an afterRestart hook), as for restarts inside a check.
        await target.process.restart().catch((err: unknown) => {
          throw new HarnessError(`the target is down before ${check.id} and could not be restarted: ${(err as Error).message}`);
        });
      }
      const ctx = new CheckContext(check.id, target, spec, tokens, adminToken, capabilities, { propertyRuns: opts.propertyRuns, seed: opts.seed, runTag: `${runTag}${round}` }, harnessLimits);
      const startedMs = performance.now();
      const run = await runOne(check, ctx);
      await dependencies?.healAll();
      const durationMs = Math.round(performance.now() - startedMs);
      const proc = target.process;
      // A target that crashed may take a moment to be reaped: wait briefly when the check saw trouble.
      if (proc && proc.isRunning && run.outcome !== 'pass') await proc.waitExit(300);
      if (proc && !proc.isRunning) {
        ctx.recorder.note(`the target exited during the check (${proc.exit?.signal ?? `code ${proc.exit?.code}`}); restarted for the next check`);
        if (run.outcome === 'pass') Object.assign(run, { outcome: 'fail', message: 'the target exited during the check' });
        await proc.restart().catch((err: unknown) => {
          throw new HarnessError(`the target exited during ${check.id} and could not be restarted: ${(err as Error).message}`);
        });
      }
      const verdict = verdictOf(run.outcome, check.level, opts.strict);
      const result: CheckResult = {
        id: check.id,
        title: check.title,
        group: check.group,
        level: check.level,
        rules: [...check.rules],
        verdict,
        message: run.message,
        durationMs,
        evidence: ctx.recorder.finish(),
        ...(run.counterexample ? { counterexample: run.counterexample } : {}),
      };
      const earlier = results.find((r) => r.id === check.id);
      if (earlier) mergeRepeat(earlier, result);
      else results.push(opts.repeat > 1 ? { ...result, repeats: [verdict] } : result);
      opts.onProgress?.(progressLine(i + 1, opts.checks.length, result, opts.repeat > 1 ? round + 1 : undefined));
    }
  }
  for (const url of [target.url, ...(opts.peers ?? [])]) {
    await new HttpProbe(url, new EvidenceRecorder()).send({ method: 'DELETE', path: HTTP_PATHS.adminLimits, token: adminToken }).catch(() => undefined);
  }

  const all = [versionResult, ...results];
  return {
    schema: REPORT_SCHEMA_ID,
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'sockproof', version: TOOL_VERSION },
    spec: { name: SPEC_NAME, version: SPEC_VERSION },
    target: { url: target.url, specVersion: spec.version, implementation: spec.implementation, engineIoProtocol, startedByHarness: target.startedByHarness },
    options: { level: opts.level, strict: opts.strict, only: opts.only, repeat: opts.repeat },
    startedAt,
    finishedAt: new Date().toISOString(),
    summary: summarise(all.map((r) => r.verdict)),
    outcome: runOutcome(all, opts.strict),
    results: all,
  };
}

async function runOne(check: Check, ctx: CheckContext): Promise<CheckRun> {
  let ending: unknown;
  let timer: NodeJS.Timeout | undefined;
  const budget = check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  try {
    ctx.requireNeeds(check.needs ?? []);
    await Promise.race([
      check.run(ctx),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CheckTimeout(`the check did not finish within ${budget} ms`)), budget);
      }),
    ]);
  } catch (err) {
    ending = err;
  } finally {
    clearTimeout(timer);
    ctx.closeAll();
  }
  return ctx.conclude(ending);
}

class CheckTimeout extends Error {
  override name = 'CheckTimeout';
}

function mergeRepeat(earlier: CheckResult, next: CheckResult): void {
  const repeats: Verdict[] = [...(earlier.repeats ?? [earlier.verdict]), next.verdict];
  const worst = worstVerdict(repeats);
  earlier.repeats = repeats;
  if (worst !== earlier.verdict) {
    earlier.verdict = worst;
    earlier.message = next.message;
    earlier.evidence = next.evidence;
    if (next.counterexample) earlier.counterexample = next.counterexample;
  }
  earlier.durationMs += next.durationMs;
}

export function progressLine(i: number, n: number, r: CheckResult, round?: number): string {
  const width = String(n).length;
  const pos = `[${String(i).padStart(width)}/${n}]${round ? ` run ${round}` : ''}`;
  return `${pos} ${r.id.padEnd(4)} ${r.level.padEnd(6)} ${r.verdict.padEnd(13)} ${r.title.slice(0, 70)} (${(r.durationMs / 1000).toFixed(1)} s)${r.verdict === 'pass' ? '' : `\n${' '.repeat(pos.length + 1)}${r.message.slice(0, 300)}`}`;
}
