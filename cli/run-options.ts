import type { Command } from 'commander';
import type { Report } from '../reports/schema.ts';
import { numberFlag, targetChoice, type TargetFlags } from '../testbed/targets/target-flags.ts';
import { openTarget, type RunTarget, type TargetChoice } from '../testbed/targets/run-target.ts';
import { UsageError } from './usage-error.ts';

/** What every command that runs against a target (load, chaos, fuzz) shares: its flags, its lifecycle, its report. */

/** The flags withTargetOptions adds, plus --out where the command writes a report. */
export interface RunFlags extends TargetFlags {
  json?: boolean;
  out?: string;
}

/** Adds the target flags every load and chaos command shares. */
export function withTargetOptions(cmd: Command): Command {
  return cmd
    .option('--target <url>', 'a running server (loopback only unless --allow-remote); default: start the reference server')
    .option('--allow-remote', 'allow a --target that is not 127.0.0.0/8, ::1 or localhost (e.g. staging)')
    .option('--server-cmd <command>', 'start the server with this command (PORT, HOST, JWT_SECRET, DATA_DIR, SOCKPROOF_PORT_FILE set by the runner)')
    .option('--env <NAME=VALUE...>', 'extra environment for the started server')
    .option('--jwt-secret <secret>', "the target's HS256 secret (mints user and admin tokens)")
    .option('--json', 'print the result as one JSON object on stdout');
}

/**
 * Runs `body` with the target open, SIGINT/SIGTERM wired to an abort signal, and every failure to run turned
 * into one line and exit 2 (UsageError). The target is always closed: limits restored, started server removed.
 */
export async function withTarget(
  flags: TargetFlags,
  /**
   * `choice`: the target when the flags do not name it (--config: staging's first node and its tokens).
   * `endsOn`: aborted when the run cannot go on (a token refresh failed): the run stops, and its reason is the
   * command's one line, exit 2.
   */
  opts: { needsSecret: boolean; relaxLimits: boolean; choice?: TargetChoice; endsOn?: AbortSignal | undefined },
  body: (target: RunTarget, signal: AbortSignal, say: (line: string) => void) => Promise<Printer>,
): Promise<void> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const stop = stopOnSignals(say);
  let target: RunTarget | undefined;
  let print: Printer | undefined;
  try {
    const choice = opts.choice ?? targetChoice(flags, opts.needsSecret);
    if (choice.kind === 'command') say(`starting ${choice.label}...`);
    target = await openTarget(choice, { relaxLimits: opts.relaxLimits, warn: say });
    print = await body(target, opts.endsOn ? AbortSignal.any([stop.signal, opts.endsOn]) : stop.signal, say);
    if (opts.endsOn?.aborted) {
      print = undefined;
      throw new UsageError(oneLine(opts.endsOn.reason));
    }
  } catch (err) {
    if (opts.endsOn?.aborted && !(err instanceof UsageError)) throw new UsageError(oneLine(opts.endsOn.reason));
    if (err instanceof UsageError) throw err;
    throw new UsageError(oneLine(err));
  } finally {
    // Close first (restore limits, stop the server) so the output can say what was restored.
    const closeNotes = target ? await target.close() : [];
    stop.release();
    if (print) await print(closeNotes);
    else for (const note of closeNotes) say(note);
  }
}

/**
 * SIGINT/SIGTERM abort the run (it stops and still cleans up); a second one quits at once (exit 130).
 * `release()` gives the signals back.
 */
export function stopOnSignals(say: (line: string) => void): { signal: AbortSignal; release(): void } {
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    say('stopping (signal received; again to quit at once)...');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: abort.signal,
    release() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Prints (and writes) a run's result once the target is closed, given the notes closing it produced. */
export type Printer = (closeNotes: string[]) => void | Promise<void>;

/** `--out <dir>`: where chaos and load runs write report.json, junit.xml, summary.md and report.html. */
export const OUT_OPTION = ['--out <dir>', 'also write report.json, junit.xml, summary.md and report.html here'] as const;

/** Writes the run's report when --out was given, and says where. */
export async function writeRunReport(out: string | undefined, report: () => Promise<Report>, say: (line: string) => void, htmlSections: () => readonly string[] = () => []): Promise<void> {
  if (!out) return;
  const { writeReports } = await import('../reports/write.ts');
  const paths = await writeReports(await report(), out, htmlSections());
  say(`report: ${paths.html} (and ${paths.json}, ${paths.junit}, ${paths.markdown})`);
}

/** The message of any error, on one line (no stack). */
export function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 500);
}

export function numberFlagOrUsage(name: string, raw: string | undefined, bound: { min: number; max: number }, fractional = false): number {
  try {
    return numberFlag(name, raw, Number.NaN, bound, fractional);
  } catch (err) {
    throw new UsageError(oneLine(err));
  }
}
