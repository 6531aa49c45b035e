import { needsOf, type Check, type CheckRun } from './check.ts';
import type { CheckContext } from './context.ts';
import type { HarnessDependencies } from './dependencies.ts';
import { HarnessError } from './harness-error.ts';
import type { Target } from './target.ts';

const DEFAULT_CHECK_TIMEOUT_MS = 60_000;

class CheckTimeout extends Error {
  override name = 'CheckTimeout';
}

/** Runs one check within its budget and concludes it; the context's connections are closed whatever happens. */
export async function runCheck(check: Check, ctx: CheckContext): Promise<CheckRun> {
  let ending: unknown;
  let timer: NodeJS.Timeout | undefined;
  const budget = check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  try {
    ctx.requireNeeds(needsOf(check));
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

/** A harness-started target that is down before a check is started again (its afterRestart hooks run too). */
export async function ensureRunning(target: Target, before: string): Promise<void> {
  const proc = target.process;
  if (!proc || proc.isRunning) return;
  await proc.restart().catch((err: unknown) => {
    throw new HarnessError(`the target is down before ${before} and could not be restarted: ${(err as Error).message}`);
  });
}

/**
 * After a check: dependencies healed, and a harness-started target that exited during it is restarted for
 * the next one. A check that passed while its target died fails: the target crashed under it.
 */
export async function settleAfter(check: Check, run: CheckRun, ctx: CheckContext, target: Target, dependencies: HarnessDependencies | undefined): Promise<CheckRun> {
  await dependencies?.healAll();
  const proc = target.process;
  if (!proc) return run;
  // A target that crashed may take a moment to be reaped: wait briefly when the check saw trouble.
  if (proc.isRunning && run.outcome !== 'pass') await proc.waitExit(300);
  if (proc.isRunning) return run;
  ctx.recorder.note(`the target exited during the check (${proc.exit?.signal ?? `code ${proc.exit?.code}`}); restarted for the next check`);
  await proc.restart().catch((err: unknown) => {
    throw new HarnessError(`the target exited during ${check.id} and could not be restarted: ${(err as Error).message}`);
  });
  return run.outcome === 'pass' ? { ...run, outcome: 'fail', message: 'the target exited during the check' } : run;
}
