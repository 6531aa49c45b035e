import { RELAXATION_PROPAGATION_MS } from '../../spec/index.ts';
import { RunRelaxation } from './run-relaxation.ts';
import { probeHealth, readSpecDocument, relaxLimits, TargetUnavailableError, type TargetAccess } from './target-http.ts';
import { RELAXED_RATE_LIMITS, TargetProcess, TargetStartError, type TargetCommand } from './target-process.ts';

/** What the operator asked to run against: a running server, or a command the runner starts. */
export type TargetChoice =
  | { kind: 'url'; url: string; jwtSecret: string | undefined }
  | { kind: 'command'; command: TargetCommand; label: string };

/** The target of one run, open: its URL, how to mint tokens, and the process when the runner owns it. */
export interface RunTarget {
  url: string;
  jwtSecret: string | undefined;
  /** Present when the runner started the target (kill scenarios need it). */
  process: TargetProcess | undefined;
  /** What the run did to the target, for the output (limits relaxed and restored, server started...). */
  notes: string[];
  /**
   * Relaxes the limits for these users of the run before they connect (FIX-4) when the run relaxed the
   * limits of a target it did not start; nothing to do for a target it started (its limits are relaxed).
   */
  admit(userIds: readonly string[]): Promise<void>;
  /** What the run's clients need: where, how to mint tokens, and `admit`. */
  access(): TargetAccess;
  /** Ends the relaxation (attached target) or stops and removes the server (started target). Never throws. */
  close(): Promise<string[]>;
}

export interface OpenOptions {
  /**
   * The run sends socket events: relax the limits, for the run's own users only on a target the runner did
   * not start (FIX-4), through PUT /admin/limits on one it started (needs the secret).
   */
  relaxLimits: boolean;
  /** Where a warning during the run goes (a relaxation that could not be renewed). */
  warn?: (line: string) => void;
}

/** Opens the target; failures are TargetUnavailableError with one line (the CLI turns them into exit 2). */
export async function openTarget(choice: TargetChoice, opts: OpenOptions): Promise<RunTarget> {
  if (choice.kind === 'url') {
    await probeHealth(choice.url);
    const access = { url: choice.url, jwtSecret: choice.jwtSecret ?? '' };
    const notes = [`target: ${choice.url} (not started by the runner)`];
    const relaxation = opts.relaxLimits ? await relaxForTheRun(access, notes, opts.warn) : undefined;
    const admit = async (userIds: readonly string[]) => {
      await relaxation?.admit(userIds);
    };
    return {
      url: choice.url,
      jwtSecret: choice.jwtSecret,
      process: undefined,
      notes,
      admit,
      access: () => ({ ...access, admit }),
      async close() {
        return relaxation ? [await relaxation.end()] : [];
      },
    };
  }

  let proc: TargetProcess;
  try {
    proc = await TargetProcess.start(choice.command);
  } catch (err) {
    if (err instanceof TargetStartError) throw new TargetUnavailableError(err.message);
    throw err;
  }
  const access = () => ({ url: proc.url, jwtSecret: proc.jwtSecret });
  const relax = async () => {
    if (opts.relaxLimits) await relaxLimits(access(), RELAXED_RATE_LIMITS);
  };
  try {
    await relax();
  } catch (err) {
    await proc.stop();
    throw err;
  }
  proc.afterRestart.push(relax); // PUT /admin/limits does not survive a restart (the kill scenario's)
  return {
    get url() {
      return proc.url;
    },
    jwtSecret: proc.jwtSecret,
    process: proc,
    admit: async () => {},
    access: () => ({ url: proc.url, jwtSecret: proc.jwtSecret }),
    notes: [`target: ${choice.label}, started by the runner on ${proc.url} with a temporary DATA_DIR and relaxed rate limits (removed at the end)`],
    async close() {
      await proc.stop();
      return [];
    },
  };
}

/**
 * FIX-4 for a target the runner did not start: the other users of that deployment keep their limits. A target
 * without per-user relaxations, or without fixtures, keeps its limits for the run too, and the notes say so.
 */
async function relaxForTheRun(access: TargetAccess, notes: string[], warn: ((line: string) => void) | undefined): Promise<RunRelaxation | undefined> {
  const spec = await readSpecDocument(access.url);
  if (!spec.features.fixtures) {
    notes.push("rate limits: not relaxed: the target serves no fixtures (features.fixtures false, FIX-3); the run's users are held to its limits");
    return undefined;
  }
  if (spec.features.limitRelaxations !== true) {
    notes.push(
      "rate limits: not relaxed: the target offers no per-user relaxation (FIX-4, features.limitRelaxations in GET /spec), and the runner does not lift them for every user (FIX-2) of a target it did not start; the run's users are held to its limits",
    );
    return undefined;
  }
  // Behind a load balancer the run's clients may reach another node than the PUT did: they wait for FIX-4's bound.
  const settleMs = spec.features.multiNode ? RELAXATION_PROPAGATION_MS : 0;
  const relaxation = await RunRelaxation.open(access, RELAXED_RATE_LIMITS, { settleMs, ...(warn ? { warn } : {}) });
  notes.push(relaxation.describe());
  return relaxation;
}
