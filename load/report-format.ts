import type { HttpLoadResult } from './http-run.ts';
import type { RealtimeResult } from './realtime-run.ts';
import type { RecordingOverhead } from './recording-overhead.ts';

/** Human-readable tables of load results (pure: strings in, strings out). */

const fmt = (v: number | null | undefined): string => (v === null || v === undefined || Number.isNaN(v) ? '-' : String(v));

/** A two-column table, left column padded. */
export function table(rows: ReadonlyArray<readonly [string, string]>): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n');
}

function latencyLine(s: { p50: number | null; p95?: number | null; p97_5?: number | null; p99: number | null; max: number | null; count?: number }): string {
  return `p50 ${fmt(s.p50)}  p95 ${fmt(s.p95)}  p99 ${fmt(s.p99)}  max ${fmt(s.max)}${s.count !== undefined ? `  (n=${s.count})` : ''}`;
}

export function formatErrors(errors: Record<string, number>): string {
  const entries = Object.entries(errors);
  return entries.length ? entries.map(([k, v]) => `${k} ${v}`).join(', ') : 'none';
}

export function formatRealtime(r: RealtimeResult, notes: readonly string[]): string {
  const f = r.figures;
  const h = r.history;
  const lines = [
    `realtime load: ${r.config.clients} clients, ${r.config.durationS} s, ${r.config.mode}${r.config.ratePerClient ? ` ${r.config.ratePerClient} msg/s per client` : ''}`,
    table([
      ['acked messages/s', fmt(f.ackedPerSec)],
      ['sent / acked / failed', `${f.sent} / ${f.acked} / ${f.failed}`],
      ['ack latency ms', latencyLine(f.ackLatencyMs)],
      ['fan-out latency ms', latencyLine(f.fanoutLatencyMs)],
      ['errors by code', formatErrors(f.errors)],
      ['disconnects', `${fmt(f.disconnects)}${f.rejoinsAfterTokenExpiry ? ` (${f.rejoinsAfterTokenExpiry} ended by the server at the token's exp, joined again with a refreshed token)` : ''}`],
      ['runner CPU per ack', `${fmt(f.runnerCpuUsPerAck)} µs`],
      ['exactly once', `${h.exactlyOnce ? 'yes' : 'NO'}: ${h.acked} acked, ${h.stored} stored, ${h.lost} lost, ${h.duplicated} duplicated, ${h.mismatched} mismatched`],
    ]),
    ...h.firstProblems.map((p) => `  ! ${p}`),
    ...judgementLines(r),
    ...notes.map((n) => `  note: ${n}`),
  ];
  return lines.join('\n');
}

/** The checkers' verdicts, each invalid one with its first counterexamples, and what was recorded. */
export function judgementLines(r: RealtimeResult, perChecker = 3): string[] {
  const j = r.judgement;
  if (!j) return ['  history not recorded (--no-record): only the exactly-once check above'];
  const rec = j.recording;
  return [
    `  history: ${rec.ops} ops, ${rec.deliveries} deliveries recorded (at ${rec.observers} of ${rec.members} members), judged in ${rec.checkMs} ms: ${j.verdict.toUpperCase()}`,
    ...j.checkers.flatMap((c) => [
      `  ${c.verdict === 'valid' ? ' ' : '!'} ${c.checker.padEnd(16)} ${c.verdict}: ${c.reason}`,
      ...c.counterexamples.slice(0, perChecker).map((ce) => `      counterexample: ${ce.what} (ops ${ce.ops.join(', ')})`),
    ]),
  ];
}

export function formatHttp(r: HttpLoadResult, notes: readonly string[]): string {
  const f = r.figures;
  return [
    `http load: GET ${r.config.url}, ${r.config.connections} connections, ${r.config.durationS} s`,
    table([
      ['requests/s', fmt(f.reqPerSec)],
      ['requests', fmt(f.requests)],
      ['latency ms', `p50 ${fmt(f.latencyMs.p50)}  p97.5 ${fmt(f.latencyMs.p97_5)}  p99 ${fmt(f.latencyMs.p99)}  max ${fmt(f.latencyMs.max)}`],
      ['errors (timeouts)', `${f.errors} (${f.timeouts})`],
      ['non-2xx', fmt(f.non2xx)],
    ]),
    ...notes.map((n) => `  note: ${n}`),
  ].join('\n');
}

/** What recording cost, as ratios of the recorded phases to the unrecorded ones, with every phase's figures. */
export function formatOverhead(o: RecordingOverhead): string {
  const x = (v: number | null) => (v === null ? '-' : `${v}x`);
  return [
    `recording overhead (recorded / unrecorded, same run, phases ${o.phases.map((p) => (p.recorded ? 'on' : 'off')).join(' ')}):`,
    table([
      ['acked messages/s', `${x(o.ackedPerSecRatio)}  (${o.phases.map((p) => `${p.recorded ? 'on' : 'off'} ${p.ackedPerSec}`).join(', ')})`],
      ['ack p50', `${x(o.ackP50Ratio)}  (${o.phases.map((p) => `${p.recorded ? 'on' : 'off'} ${fmt(p.ackP50Ms)}`).join(', ')} ms)`],
      ['ack p99', `${x(o.ackP99Ratio)}  (${o.phases.map((p) => `${p.recorded ? 'on' : 'off'} ${fmt(p.ackP99Ms)}`).join(', ')} ms)`],
      ['runner CPU per ack', `${x(o.runnerCpuRatio)}  (${o.phases.map((p) => `${p.recorded ? 'on' : 'off'} ${fmt(p.runnerCpuUsPerAck)}`).join(', ')} µs)`],
    ]),
  ].join('\n');
}
