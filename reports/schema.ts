import { z } from 'zod';

/**
 * The native report of every sockproof run (schema version 1): a conformance run's checks, a chaos run's
 * scenarios, a load run's verdict. Every other format (JUnit, Markdown, HTML) is made from this one;
 * `sockproof report compare` reads two of them.
 */
export const REPORT_SCHEMA_ID = 'sockproof.report';
export const REPORT_SCHEMA_VERSION = 1;

export const Level = z.enum(['MUST', 'SHOULD', 'MAY']);
export type Level = z.infer<typeof Level>;

/**
 * pass; fail (a MUST or SHOULD not met under --strict, or a MUST not met); non-strict (a SHOULD
 * or MAY not met); unimplemented (the target lacks an optional feature the check needs, or the
 * harness does not control what the check needs); inconclusive (the check could not decide:
 * an exception in a check lands here, never in pass).
 */
export const Verdict = z.enum(['pass', 'fail', 'non-strict', 'unimplemented', 'inconclusive']);
export type Verdict = z.infer<typeof Verdict>;

/** Milliseconds since the check started. */
const T = z.number().nonnegative();

export const Evidence = z.discriminatedUnion('kind', [
  /** A Socket.IO packet sent or received on one of the check's connections. */
  z.object({
    kind: z.literal('frame'),
    t: T,
    conn: z.string(),
    dir: z.enum(['out', 'in']),
    /** Socket.IO packet type or Engine.IO packet kind, e.g. EVENT, ACK, CONNECT_ERROR, ping. */
    type: z.string(),
    event: z.string().optional(),
    data: z.unknown().optional(),
  }),
  /** An HTTP exchange. */
  z.object({
    kind: z.literal('http'),
    t: T,
    method: z.string(),
    url: z.string(),
    status: z.number().int().optional(),
    requestBody: z.unknown().optional(),
    responseBody: z.unknown().optional(),
    durationMs: z.number().nonnegative(),
  }),
  /** What the check expected and what it saw. */
  z.object({ kind: z.literal('expect'), t: T, expected: z.string(), actual: z.string(), ok: z.boolean() }),
  /** Anything else worth a reader's eye: a process signal, a log excerpt, a timing. */
  z.object({ kind: z.literal('note'), t: T, text: z.string() }),
]);
export type Evidence = z.infer<typeof Evidence>;

/** A property check's failure, shrunk, with what replays it. */
export const Counterexample = z.object({
  seed: z.number().int(),
  path: z.string().optional(),
  value: z.unknown(),
  numRuns: z.number().int().nonnegative(),
});

/**
 * What a run can give a check beyond a reachable target, each turned on by flags: the harness started
 * the target (--server-cmd), a second node (--nodes 2 or --peer), dependencies it can cut (--deps), a
 * supervisor around the target (--supervisor-cmd). The report's headline names its profiles after them.
 */
export const Requirement = z.enum(['harness-started', 'multi-node', 'dependencies', 'supervisor']);
export type Requirement = z.infer<typeof Requirement>;

export const CheckResult = z.object({
  id: z.string(),
  title: z.string(),
  group: z.string(),
  level: Level,
  /** SPEC.md rule ids this check proves. */
  rules: z.array(z.string()),
  verdict: Verdict,
  /** One line a reader sees next to the verdict. */
  message: z.string(),
  durationMs: z.number().nonnegative(),
  evidence: z.array(Evidence),
  /** With --repeat N > 1: every run's verdict; `verdict` is the worst of them. */
  repeats: z.array(Verdict).optional(),
  counterexample: Counterexample.optional(),
  /** What the check needs of the run (its profile); absent: a single reachable node is enough. */
  requires: z.array(Requirement).optional(),
  /** Not run because the run lacked these (the flags that give them are in the headline). */
  missing: z.array(Requirement).optional(),
  /** Not run because this check failed first (V01: the target gave no spec document). */
  blockedBy: z.string().optional(),
  /** What a chaos scenario or load run measured (numbers, or small records of numbers). */
  figures: z.record(z.string(), z.unknown()).optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

/**
 * Which command made the report; reports written before chaos and load wrote them are conformance reports.
 * `bench` was added within version 1: every report written before it still parses.
 */
export const RunKind = z.enum(['conformance', 'chaos', 'load', 'fuzz', 'bench']);
export type RunKind = z.infer<typeof RunKind>;

export const Report = z.object({
  schema: z.literal(REPORT_SCHEMA_ID),
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  kind: RunKind.default('conformance'),
  tool: z.object({ name: z.string(), version: z.string() }),
  spec: z.object({ name: z.string(), version: z.string() }),
  target: z.object({
    url: z.string(),
    /** What the target says of itself in GET /spec, when it answered. */
    specVersion: z.string().nullable(),
    implementation: z.object({ name: z.string(), version: z.string() }).nullable(),
    engineIoProtocol: z.number().int().nullable(),
    startedByHarness: z.boolean(),
  }),
  options: z.object({
    level: z.enum(['must', 'should', 'all']),
    strict: z.boolean(),
    only: z.array(z.string()),
    repeat: z.number().int().min(1),
    /** --require: capabilities whose checks fail the run when they were not run. */
    require: z.array(Requirement).optional(),
  }),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  summary: z.object({
    total: z.number().int(),
    pass: z.number().int(),
    fail: z.number().int(),
    nonStrict: z.number().int(),
    unimplemented: z.number().int(),
    inconclusive: z.number().int(),
    /** What was proven, in one line: the profiles that passed, what was not run and the flags that run it. */
    headline: z.string().optional(),
  }),
  /** pass when no MUST check failed (and, with --strict, no SHOULD check either). */
  outcome: z.enum(['pass', 'fail']),
  results: z.array(CheckResult),
});
export type Report = z.infer<typeof Report>;
