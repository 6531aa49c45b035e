import type { CheckResult, Evidence } from './schema.ts';

/** Keeps one evidence line readable; the full value is always in report.json. */
const MAX_VALUE_CHARS = 200;

/** A value as compact JSON, cut to a readable length. Never throws (bigints, cycles). */
export function compactValue(value: unknown, max = MAX_VALUE_CHARS): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function at(t: number): string {
  return `+${Math.round(t)}ms`;
}

/** One line per evidence item, for plain-text formats (JUnit system-out, terminals). */
export function describeEvidence(e: Evidence): string {
  switch (e.kind) {
    case 'frame': {
      const verb = e.dir === 'out' ? 'sent' : 'received';
      const event = e.event === undefined ? '' : ` ${e.event}`;
      const data = e.data === undefined ? '' : ` ${compactValue(e.data)}`;
      return `${at(e.t)} [${e.conn}] ${verb} ${e.type}${event}${data}`;
    }
    case 'http': {
      const status = e.status === undefined ? 'no response' : String(e.status);
      const body = e.responseBody === undefined ? '' : ` ${compactValue(e.responseBody)}`;
      return `${at(e.t)} ${e.method} ${e.url} -> ${status} in ${Math.round(e.durationMs)}ms${body}`;
    }
    case 'expect':
      return `${at(e.t)} ${e.ok ? 'ok' : 'NOT OK'}: expected ${e.expected}; got ${e.actual}`;
    case 'note':
      return `${at(e.t)} note: ${e.text}`;
  }
}

/** What replays a property failure: the seed (and path) go to fast-check's `seed`/`path` options. */
export function describeCounterexample(c: NonNullable<CheckResult['counterexample']>): string {
  const path = c.path === undefined ? '' : ` path=${c.path}`;
  return `counterexample after ${c.numRuns} runs: seed=${c.seed}${path} value=${compactValue(c.value)}`;
}
