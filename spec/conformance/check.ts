import type { Observation } from '../../reports/verdicts.ts';
import type { Counterexample, Level, Requirement } from '../../reports/schema.ts';
import type { z } from 'zod';
import type { CheckContext } from './context.ts';

/** The six groups of the original crash-safe report, then the protocol and spec-rule checks. */
export const GROUPS = [
  'Architecture',
  'Configuration',
  'Error recovery',
  'Security',
  'Production readiness',
  'Performance',
  'Protocol',
  'Spec rules',
] as const;
export type Group = (typeof GROUPS)[number];

/**
 * What a check needs beyond a reachable target with admin credentials. A check whose need is
 * not met is `unimplemented`, never failed.
 */
export type Need =
  /** The harness started the target (--server-cmd): it can signal, restart and read its logs. */
  | 'harness-started'
  /** The harness can take the target's dependencies down and up again. */
  | 'dependency-control'
  /** The target has several nodes and the harness knows a second one (--peer). */
  | 'multi-node'
  /** The harness started several nodes of the target at once on a fresh database (--nodes 2 --deps …). */
  | 'nodes-started-together'
  /** The harness can start the target under its supervisor (--supervisor-cmd) and make it exit fatally (FIX-5): C21. */
  | 'supervisor'
  /** The target serves the fixtures of FIX-1/FIX-2 (`features.fixtures`, FIX-3): every check needs them unless it says `withoutFixtures`. */
  | 'fixtures';

/** The run capabilities (report profiles, --require values) each need stands for. */
export const REQUIREMENTS_OF_NEED: Readonly<Record<Need, readonly Requirement[]>> = {
  'harness-started': ['harness-started'],
  'dependency-control': ['dependencies'],
  'multi-node': ['multi-node'],
  'nodes-started-together': ['multi-node', 'dependencies'],
  supervisor: ['supervisor'],
  // A property of the target (FIX-3), not of the run: no profile, no --require value.
  fixtures: [],
};

/** What a check requires of the run, as the report names it (pure). */
export function requirementsOf(needs: readonly Need[]): Requirement[] {
  return [...new Set(needs.flatMap((n) => REQUIREMENTS_OF_NEED[n]))];
}

/**
 * What a check needs of the target at the least. `socket.io`: any Socket.IO v4 server; the check reads
 * nothing from GET /spec and uses no fixture, so it runs even when V01 found no spec document.
 * `sockproof` (the default): the spec document, its fixtures and an admin token; without a spec document
 * the check is blocked by V01.
 */
export type Foundation = 'socket.io' | 'sockproof';

export interface Check {
  /** Stable id: never reused or renumbered (C01-C23 the crash-safe checks, P protocol, S spec rules). */
  id: string;
  title: string;
  group: Group;
  level: Level;
  /** SPEC.md rule ids this check proves. */
  rules: readonly string[];
  needs?: readonly Need[];
  /** Default `sockproof`. */
  foundation?: Foundation;
  /** Sets nothing up through the fixtures: runs on a target that turned them off (FIX-3). */
  withoutFixtures?: true;
  /** Stops the target or bans users for good: run after the others. */
  destructive?: boolean;
  /** Hard budget for one run of the check; past it the check is inconclusive. */
  timeoutMs?: number;
  run(ctx: CheckContext): Promise<void>;
}

export interface CheckRun {
  /** How the run ended, before the check's level turns it into a verdict. */
  outcome: Observation;
  message: string;
  counterexample?: z.infer<typeof Counterexample>;
  /** Not run because the run lacks these (its needs not met). */
  missing?: Requirement[];
}

/** Thrown by a check to stop at a failed expectation the rest depends on. */
export class CheckFailed extends Error {
  override name = 'CheckFailed';
}

/** Thrown when the target lacks what the check needs (an optional feature, a harness capability). */
export class CheckUnimplemented extends Error {
  override name = 'CheckUnimplemented';

  constructor(
    message: string,
    /** The run capabilities whose lack stopped it; none when the target lacks an optional feature. */
    readonly missing: Requirement[] = [],
  ) {
    super(message);
  }
}

/** Thrown when the check cannot decide (e.g. the harness could not set the scene up). */
export class CheckInconclusive extends Error {
  override name = 'CheckInconclusive';
}

/**
 * Everything a check needs before it runs: what it declares, and the fixtures unless it sets nothing up
 * through them (`withoutFixtures`, or a `socket.io`-foundation check, which reads nothing of the spec).
 */
export function needsOf(check: Check): Need[] {
  const usesFixtures = !check.withoutFixtures && (check.foundation ?? 'sockproof') === 'sockproof';
  return [...(check.needs ?? []), ...(usesFixtures ? (['fixtures'] as const) : [])];
}

export function defineCheck(check: Check): Check {
  return check;
}
