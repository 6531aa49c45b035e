import { openRunRelaxation, type RunRelaxation } from './run-relaxation.ts';
import { probeHealth, relaxLimits, TargetUnavailableError, type TargetAccess } from './target-http.ts';
import { RELAXED_RATE_LIMITS, TargetProcess, TargetStartError, type TargetCommand } from './target-process.ts';
import { hs256TokenSource, type TokenSource } from './token-source.ts';

/** What the operator asked to run against: a running server, or a command the runner starts. */
export type TargetChoice =
  | { kind: 'url'; url: string; tokens: TokenSource }
  | { kind: 'command'; command: TargetCommand; label: string };

/** The target of one run, open: its URL, where its tokens come from, and the process when the runner owns it. */
export interface RunTarget {
  url: string;
  tokens: TokenSource;
  /** Present when the runner started the target (kill scenarios need it). */
  process: TargetProcess | undefined;
  /** What the run did to the target, for the output (limits relaxed and restored, server started...). */
  notes: string[];
  /**
   * Relaxes the limits for these users of the run before they connect (FIX-4) when the run relaxed the
   * limits of a target it did not start; nothing to do for a target it started (its limits are relaxed).
   */
  admit(userIds: readonly string[]): Promise<void>;
  /** What the run's clients need: where, their tokens, and `admit`. */
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
    const access = { url: choice.url, tokens: choice.tokens };
    const notes = [`target: ${choice.url} (not started by the runner)`];
    let relaxation: RunRelaxation | undefined;
    if (opts.relaxLimits) {
      const limits = await openRunRelaxation(access, opts.warn);
      relaxation = limits.relaxation;
      notes.push(limits.note);
    }
    const admit = async (userIds: readonly string[]) => {
      await relaxation?.admit(userIds);
    };
    return {
      url: choice.url,
      tokens: choice.tokens,
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
  // A server the runner started: it knows the secret it gave it (TargetProcess.jwtSecret) and mints with it.
  const tokens = hs256TokenSource(proc.jwtSecret);
  const access = () => ({ url: proc.url, tokens });
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
    tokens,
    process: proc,
    admit: async () => {},
    access,
    notes: [`target: ${choice.label}, started by the runner on ${proc.url} with a temporary DATA_DIR and relaxed rate limits (removed at the end)`],
    async close() {
      await proc.stop();
      return [];
    },
  };
}

/**
 * The same target with its clients admitted by `admit`: the relaxation a run holds for a whole deployment
 * (staging's, chaos/deployment/staging-limits.ts), which the single-node scenarios share.
 */
export function admittedBy(target: RunTarget, admit: (userIds: readonly string[]) => Promise<void>): RunTarget {
  return { ...target, admit, access: () => ({ ...target.access(), admit }) };
}
