import type { CheckResult, Verdict } from '../../reports/schema.ts';
import { worstVerdict } from '../../reports/verdicts.ts';

/**
 * The results of a run, one per check: a check run again (--repeat) keeps every verdict in `repeats`
 * and shows its worst run (message, evidence and counterexample of that run).
 */
export class RunResults {
  private readonly byId = new Map<string, CheckResult>();

  constructor(private readonly repeat: number) {}

  add(result: CheckResult): void {
    const earlier = this.byId.get(result.id);
    if (!earlier) {
      this.byId.set(result.id, this.repeat > 1 ? { ...result, repeats: [result.verdict] } : result);
      return;
    }
    const repeats: Verdict[] = [...(earlier.repeats ?? [earlier.verdict]), result.verdict];
    const worst = worstVerdict(repeats);
    earlier.repeats = repeats;
    if (worst !== earlier.verdict) {
      earlier.verdict = worst;
      earlier.message = result.message;
      earlier.evidence = result.evidence;
      if (result.counterexample) earlier.counterexample = result.counterexample;
    }
    earlier.durationMs += result.durationMs;
  }

  list(): CheckResult[] {
    return [...this.byId.values()];
  }
}

export function progressLine(i: number, n: number, r: CheckResult, round?: number): string {
  const width = String(n).length;
  const pos = `[${String(i).padStart(width)}/${n}]${round ? ` run ${round}` : ''}`;
  return `${pos} ${r.id.padEnd(4)} ${r.level.padEnd(6)} ${r.verdict.padEnd(13)} ${r.title.slice(0, 70)} (${(r.durationMs / 1000).toFixed(1)} s)${r.verdict === 'pass' ? '' : `\n${' '.repeat(pos.length + 1)}${r.message.slice(0, 300)}`}`;
}
