/**
 * The Prometheus text exposition format (version 0.0.4) as a scraper reads it: `# HELP` and `# TYPE`
 * lines, then samples `name{label="value",…} value [timestamp]`. Pure, so that S20's reading of
 * GET /metrics is tested on its own.
 */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export type PrometheusParse = { ok: true; samples: PrometheusSample[] } | { ok: false; line: number; text: string; why: string };

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?[ \t]+(\S+)([ \t]+-?\d+)?[ \t]*$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): PrometheusParse {
  const samples: PrometheusSample[] = [];
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trimEnd();
    const fail = (why: string): PrometheusParse => ({ ok: false, line: i + 1, text: line.slice(0, 200), why });
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
      if (!m) continue; // other comments are allowed
      if (!NAME.test(m[2]!)) return fail(`# ${m[1]} names "${m[2]}", not a metric name`);
      if (m[1] === 'TYPE' && !TYPES.has((m[3] ?? '').trim())) return fail(`# TYPE "${m[3] ?? ''}" is not a metric type`);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) return fail('not a sample line (name{labels} value [timestamp])');
    const labels: Record<string, string> = {};
    let rest = m[3] ?? '';
    while (rest.length > 0) {
      const l = LABEL.exec(rest);
      if (!l) return fail(`bad label list at "${rest.slice(0, 40)}"`);
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      rest = rest.slice(l[0].length);
    }
    const value = parseValue(m[4]!);
    if (value === undefined) return fail(`value "${m[4]}" is not a number`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { ok: true, samples };
}

/** As Prometheus reads a value (Go's ParseFloat): `NaN` and `Inf` in any case (prom-client writes `Nan`). */
function parseValue(s: string): number | undefined {
  if (/^\+?inf(inity)?$/i.test(s)) return Number.POSITIVE_INFINITY;
  if (/^-inf(inity)?$/i.test(s)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(s)) return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

/** MET-3's name of a MET-1 counter: `sockproof_` + its name in snake case + `_total` (messagesSent: sockproof_messages_sent_total). */
export function prometheusCounterName(counter: string): string {
  return `sockproof_${counter.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_total`;
}

/** The value of an unlabelled sample, or undefined when there is none. */
export function sampleValue(samples: readonly PrometheusSample[], name: string): number | undefined {
  return samples.find((s) => s.name === name && Object.keys(s.labels).length === 0)?.value;
}
