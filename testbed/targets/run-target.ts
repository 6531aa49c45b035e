import { probeHealth, relaxLimits, restoreLimits, TargetUnavailableError } from './target-http.ts';
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
  /** Restores limits (attached target) or stops and removes the server (started target). Never throws. */
  close(): Promise<string[]>;
}

export interface OpenOptions {
  /** The run sends socket events: relax the limits through PUT /admin/limits (needs the secret). */
  relaxLimits: boolean;
}

/** Opens the target; failures are TargetUnavailableError with one line (the CLI turns them into exit 2). */
export async function openTarget(choice: TargetChoice, opts: OpenOptions): Promise<RunTarget> {
  if (choice.kind === 'url') {
    await probeHealth(choice.url);
    const access = { url: choice.url, jwtSecret: choice.jwtSecret ?? '' };
    const notes = [`target: ${choice.url} (not started by the runner)`];
    if (opts.relaxLimits) await relaxLimits(access, RELAXED_RATE_LIMITS);
    if (opts.relaxLimits) notes.push(`rate limits: relaxed for the run with PUT /admin/limits ${JSON.stringify(RELAXED_RATE_LIMITS)}`);
    return {
      url: choice.url,
      jwtSecret: choice.jwtSecret,
      process: undefined,
      notes,
      async close() {
        if (!opts.relaxLimits) return [];
        try {
          await restoreLimits(access);
          return ['rate limits: restored with DELETE /admin/limits'];
        } catch (err) {
          return [`rate limits: NOT restored (${(err as Error).message}); run DELETE /admin/limits on the target`];
        }
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
    notes: [`target: ${choice.label}, started by the runner on ${proc.url} with a temporary DATA_DIR and relaxed rate limits (removed at the end)`],
    async close() {
      await proc.stop();
      return [];
    },
  };
}
