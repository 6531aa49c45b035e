import type { Evidence } from '../../../reports/schema.ts';

/** Longest string kept in one piece of evidence; longer values are cut with a note of their size. */
const MAX_STRING = 600;
/** Most evidence items one check keeps; beyond it, items are counted but not kept (expectations excepted). */
const MAX_ITEMS = 400;

/** Makes a value small enough to keep in a report: long strings cut, deep structures summarised. */
export function abbreviate(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length} chars)` : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 5) return Array.isArray(value) ? `[array of ${value.length}]` : '{…}';
  if (Array.isArray(value)) {
    const shown = value.slice(0, 20).map((v) => abbreviate(v, depth + 1));
    return value.length > 20 ? [...shown, `… ${value.length - 20} more`] : shown;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries.slice(0, 40)) out[k] = abbreviate(v, depth + 1);
  if (entries.length > 40) out['…'] = `${entries.length - 40} more keys`;
  return out;
}

type WithoutTime<E> = E extends Evidence ? Omit<E, 't'> : never;

/** What one check saw and did, stamped with milliseconds since the check started. */
export class EvidenceRecorder {
  readonly items: Evidence[] = [];
  private dropped = 0;
  private readonly start = performance.now();

  now(): number {
    return Math.round((performance.now() - this.start) * 10) / 10;
  }

  add(item: WithoutTime<Evidence>): void {
    // An expectation is what a reader (and a faulty build's test) looks for: a check records few, so none is dropped.
    if (this.items.length >= MAX_ITEMS && item.kind !== 'expect') {
      this.dropped++;
      return;
    }
    const t = this.now();
    if (item.kind === 'frame') this.items.push({ ...item, t, data: abbreviate(item.data) });
    else if (item.kind === 'http')
      this.items.push({ ...item, t, requestBody: abbreviate(item.requestBody), responseBody: abbreviate(item.responseBody) });
    else this.items.push({ ...item, t } as Evidence);
  }

  note(text: string): void {
    this.add({ kind: 'note', text });
  }

  expectation(expected: string, actual: string, ok: boolean): void {
    this.add({ kind: 'expect', expected, actual: String(abbreviate(actual)), ok });
  }

  /** The evidence, with a closing note when some was not kept. */
  finish(): Evidence[] {
    if (this.dropped > 0) this.items.push({ kind: 'note', t: this.now(), text: `${this.dropped} further evidence items not kept` });
    return this.items;
  }
}
