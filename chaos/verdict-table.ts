import { recoveryOf } from '../reports/recovery-table.ts';
import type { ScenarioResult } from './scenario.ts';

const pick = (f: Record<string, unknown>, k: string): string => {
  const v = f[k];
  if (v === undefined || v === null) return '-';
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return o.p50 !== undefined ? `p50 ${o.p50 ?? '-'} p99 ${o.p99 ?? '-'}` : JSON.stringify(v);
  }
  return String(v);
};

/** A dependency scenario's recovery bound and what it was made of (figures.recoveryBounds). */
function boundsOf(f: Record<string, unknown>): string {
  const b = f.recoveryBounds as { healthyMs?: number; firstAckMs?: number; basis?: string } | undefined;
  if (b?.healthyMs === undefined) return '';
  const from = b.basis?.split('Timings: ')[1];
  return ` (bounds: healthy ${b.healthyMs} ms, first ack ${b.firstAckMs} ms${from ? `; ${from}` : ''})`;
}

/** Key figures of one scenario, on one line. */
export function keyFigures(r: ScenarioResult): string {
  const f = r.figures;
  const common = f.sent !== undefined ? `sent ${pick(f, 'sent')}, acked ${pick(f, 'acked')}, in doubt ${pick(f, 'inDoubt')}, resolved ${pick(f, 'resolved')}, unresolved ${pick(f, 'unresolved')}` : '';
  switch (r.name) {
    case 'kill':
      return f.kills ? `${common}; kill->serving ms ${pick(f, 'killToServingMs')}; per kill ${JSON.stringify(f.kills)}` : common;
    case 'partition':
      return `${common}; cut ${pick(f, 'cutMs')} ms, disconnects ${pick(f, 'disconnects')}, heal->first ack ${pick(f, 'healToFirstAckMs')} ms`;
    case 'nemesis':
      return `${common}; seed ${pick(f, 'seed')}, windows ${pick(f, 'windows')}, lost ${pick(f, 'lost')}, duplicated ${pick(f, 'duplicated')}, ok share ${pick(f, 'okShare')}, max heal->ok ${pick(f, 'maxRecoverMs')} ms${recoveryOf(f) ? `; recovery per fault ${JSON.stringify(recoveryOf(f)!.byFault)}` : ''}`;
    case 'latency':
      return `${common}; ack ms before ${pick(f, 'ackLatencyBeforeMs')}, during (+${pick(f, 'addedLatencyMs')} ms) ${pick(f, 'ackLatencyDuringMs')}`;
    default: // a dependency scenario
      return f.faultMs === undefined ? common : `${common}; fault ${pick(f, 'faultMs')} ms, heal->first ack ${pick(f, 'healToFirstAckMs')} ms, heal->healthy ms ${pick(f, 'healToHealthyMs')}${boundsOf(f)}${f.operatorRecovery ? `; operator recovery ${JSON.stringify(f.operatorRecovery)}` : ''}`;
  }
}

/** The human verdict table of a run. */
export function formatVerdictTable(results: readonly ScenarioResult[], notes: readonly string[]): string {
  const w = Math.max(8, ...results.map((r) => r.name.length));
  const lines = [`${'scenario'.padEnd(w)}  verdict  time   reason`];
  for (const r of results) {
    lines.push(`${r.name.padEnd(w)}  ${r.verdict.toUpperCase().padEnd(7)}  ${`${r.durationS}s`.padEnd(5)}  ${r.reason}`);
    const k = keyFigures(r);
    if (k) lines.push(`${''.padEnd(w)}  ${''.padEnd(7)}  ${''.padEnd(5)}  ${k}`);
    for (const p of r.history?.firstProblems ?? []) lines.push(`${''.padEnd(w)}  ! ${p}`);
    for (const c of r.checkers ?? []) lines.push(`${''.padEnd(w)}  ${c.verdict === 'valid' ? ' ' : '!'} ${c.checker} ${c.verdict}: ${c.reason}`);
  }
  lines.push(...notes.map((n) => `note: ${n}`));
  return lines.join('\n');
}
