import type { PartialRateLimitTable } from '../../../limits.ts';

/** Limits whose published value differs from the spec's default, as readable lines: pure. */
export function limitDifferences(published: PartialRateLimitTable, defaults: PartialRateLimitTable): string[] {
  const out: string[] = [];
  for (const name of Object.keys(defaults) as Array<keyof PartialRateLimitTable>) {
    const p = published[name];
    const d = defaults[name];
    if (!d) continue;
    if (!p) out.push(`${name}: not published`);
    else if (p.points !== d.points || p.durationMs !== d.durationMs) out.push(`${name}: ${p.points}/${p.durationMs} ms (default ${d.points}/${d.durationMs} ms)`);
  }
  return out;
}
