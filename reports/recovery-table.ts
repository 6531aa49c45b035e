import { escapeHtml } from './escape-html.ts';

/**
 * Recovery after each heal of a nemesis run (chaos/nemesis/recovery.ts), as the Markdown summary and the HTML
 * report show it: per fault, how many heals, the slowest first ok ack and healthy-again, and how many were
 * late or not judged, against the stated bounds; the HTML lists every heal too. The input is structural
 * (a result's `figures.recovery`), since reports/ sits below the suites.
 */
export interface RecoveryFigures {
  /** `timings`: each timing the bounds are made of, with where its value came from (the target's GET /spec, the runner, SPEC.md's defaults). */
  bounds: { healthyMs: number; firstAckMs: number; basis: string; timings?: Record<string, { ms: number; from: string }> };
  verdict: string;
  reason: string;
  byFault: Record<string, { heals: number; maxFirstAckMs: number | null; maxHealthyMs: number | null; late: number; unknown: number }>;
  heals: { fault: string; node: string | null; healMs: number | null; firstAckMs: number | null; healthyMs?: number | null; verdict: string; why?: string }[];
}

export const RECOVERY_TABLE_HEADER = ['Fault', 'Heals', 'Max heal → first ok ack, ms', 'Max heal → healthy, ms', 'Late', 'Not judged'] as const;

/** The recovery figures of a result, when it has them (a nemesis run on a deployment). */
export function recoveryOf(figures: Readonly<Record<string, unknown>> | undefined): RecoveryFigures | undefined {
  const r = figures?.recovery as RecoveryFigures | undefined;
  return r && typeof r === 'object' && r.byFault && Array.isArray(r.heals) ? r : undefined;
}

const ms = (v: number | null | undefined) => (v === null || v === undefined ? 'none' : String(v));

/** One row per fault, plain text cells (the caller escapes for its format). */
export function recoveryRows(r: RecoveryFigures): string[][] {
  return Object.entries(r.byFault).map(([fault, f]) => [fault, String(f.heals), ms(f.maxFirstAckMs), ms(f.maxHealthyMs), String(f.late), String(f.unknown)]);
}

/** The line under the table: the verdict, the bounds and where they come from. */
export function recoveryBoundsLine(r: RecoveryFigures): string {
  return `recovery ${r.verdict}: ${r.reason}. Bounds: first ok ack ${r.bounds.firstAckMs} ms, healthy ${r.bounds.healthyMs} ms (${r.bounds.basis}).`;
}

/** The HTML section: the per-fault table and, folded, every heal with its times and verdict. */
export function renderRecoveryHtml(name: string, r: RecoveryFigures): string {
  const cells = (cs: readonly string[], tag: 'td' | 'th') => `<tr>${cs.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
  const heals = r.heals.map((h, i) =>
    cells([String(i + 1), h.fault, h.node ?? '', h.healMs === null ? 'never' : String(Math.round(h.healMs)), ms(h.firstAckMs), h.healthyMs === undefined ? 'not measured' : ms(h.healthyMs), h.verdict + (h.why ? ` (${h.why})` : '')], 'td'),
  );
  return `<section class="recovery recovery-${escapeHtml(r.verdict)}" id="recovery-${escapeHtml(name.replace(/[^a-z0-9-]/gi, '-').toLowerCase())}">
<h2>Recovery after each heal: ${escapeHtml(name)}</h2>
<p>${escapeHtml(recoveryBoundsLine(r))}</p>
${r.bounds.timings ? `<table class="recovery-timings">${cells(['Timing', 'ms', 'Taken from'], 'th')}${Object.entries(r.bounds.timings).map(([name, t]) => cells([name, String(t.ms), t.from], 'td')).join('')}</table>` : ''}
<table>${cells(RECOVERY_TABLE_HEADER, 'th')}${recoveryRows(r).map((row) => cells(row, 'td')).join('')}</table>
<details><summary>Every heal (${r.heals.length})</summary>
<table>${cells(['#', 'Fault', 'Node', 'Healed at, ms', 'Heal → first ok ack, ms', 'Heal → healthy, ms', 'Verdict'], 'th')}${heals.join('')}</table>
</details>
</section>`;
}
