import { runHook, type HookRun } from '../deployment/command-hook.ts';
import { parseSuppliedTokens, type SuppliedUser } from './supplied-tokens.ts';

/**
 * Supplied tokens kept fresh through a run (`"auth": {"kind": "tokens", "refresh": ...}`): the operator's command
 * prints the users-file JSON (supplied-tokens.ts) on stdout; it runs at the start and again before the first
 * user token is within the margin of its exp. New connections (and reconnections, and the history reader) take
 * the freshest token of their user; a socket already connected keeps its own until the server ends it at exp
 * (AUTH-5), and then reconnects with a fresh one (testbed/clients/stream-client.ts). A refresh that fails, prints
 * something else than the file's JSON, or leaves out a user of the run ends the run with one line that quotes
 * no token (the command's stdout is never printed nor kept).
 */

/** A refresh never comes sooner than this after the last one (a command that prints short-lived tokens cannot spin). */
export const MIN_REFRESH_GAP_MS = 1_000;

export class TokenRefreshError extends Error {
  override name = 'TokenRefreshError';
}

/** When to refresh next (ms since the epoch), or undefined when no token says when it expires (pure). */
export function nextRefreshAt(users: readonly SuppliedUser[], fetchedAtMs: number, marginMs: number): number | undefined {
  const first = Math.min(...users.map((u) => u.expiresAt ?? Number.POSITIVE_INFINITY));
  if (!Number.isFinite(first)) return undefined;
  // Within the margin of the first exp, and never later than half-way through the tokens' remaining life.
  const lead = Math.min(marginMs, (first - fetchedAtMs) / 2);
  return Math.max(fetchedAtMs + MIN_REFRESH_GAP_MS, first - lead);
}

/** Runs the command once and reads its stdout as the users file; every problem a TokenRefreshError quoting no token. */
export async function runTokenRefresh(run: Omit<HookRun, 'hook' | 'captureStdout'>, nowMs: () => number = Date.now): Promise<SuppliedUser[]> {
  const r = await runHook({ ...run, hook: 'refresh', captureStdout: true });
  const said = r.output ? ` (it said: ${r.output.split('\n').at(-1)!.slice(0, 200)})` : '';
  if (r.timedOut) throw new TokenRefreshError(`the token refresh did not finish within ${run.timeoutMs} ms`);
  if (r.exitCode !== 0) throw new TokenRefreshError(`the token refresh exited ${r.exitCode ?? 'on a signal'}${said}`);
  const parsed = parseSuppliedTokens(r.stdout ?? '', nowMs());
  if (!parsed.users) throw new TokenRefreshError(`the token refresh printed no usable users file on stdout: ${parsed.issues.slice(0, 3).join('; ')}${parsed.issues.length > 3 ? ` (and ${parsed.issues.length - 3} more)` : ''}`);
  return parsed.users;
}

/**
 * The run's current user tokens, refreshed on a timer (unref'd: it never keeps the process alive). The users are
 * those of the first refresh; a later refresh must name each of them again (it may name more; they are not used).
 */
export class TokenRefresher {
  private readonly latest = new Map<string, SuppliedUser>();
  private timer: NodeJS.Timeout | undefined;
  private readonly failure = new AbortController();
  private stopped = false;
  /** How many refreshes ran (the first included). */
  refreshes = 0;

  constructor(
    readonly users: readonly SuppliedUser[],
    private readonly refresh: () => Promise<SuppliedUser[]>,
    private readonly marginMs: number,
    private readonly onRefresh: (users: readonly SuppliedUser[]) => void = () => {},
  ) {
    for (const u of users) this.latest.set(u.sub, u);
    this.refreshes = 1;
    this.schedule(Date.now());
  }

  /** Aborted (its reason a TokenRefreshError) when a refresh failed: the run ends on it. */
  get failed(): AbortSignal {
    return this.failure.signal;
  }

  /** The freshest token of a user of the run. */
  current(sub: string): string | undefined {
    return this.latest.get(sub)?.token;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(fetchedAtMs: number): void {
    const at = nextRefreshAt([...this.latest.values()], fetchedAtMs, this.marginMs);
    if (at === undefined || this.stopped) return;
    this.timer = setTimeout(() => void this.again(), Math.max(0, at - Date.now()));
    this.timer.unref();
  }

  private async again(): Promise<void> {
    try {
      const fresh = new Map((await this.refresh()).map((u) => [u.sub, u]));
      const missing = this.users.filter((u) => !fresh.has(u.sub)).map((u) => u.sub);
      if (missing.length > 0) throw new TokenRefreshError(`the token refresh left out ${missing.length} user(s) of the run (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}): a refresh names the same users again`);
      if (this.stopped) return;
      for (const u of this.users) this.latest.set(u.sub, fresh.get(u.sub)!);
      this.refreshes++;
      this.onRefresh([...this.latest.values()]);
      this.schedule(Date.now());
    } catch (err) {
      this.stop();
      this.failure.abort(err instanceof TokenRefreshError ? err : new TokenRefreshError(`the token refresh failed: ${(err as Error).message.split('\n')[0]}`));
    }
  }
}
