import { describe, expect, it } from 'vitest';
import { renderRecoveryHtml, recoveryOf, recoveryRows, type RecoveryFigures } from '../recovery-table.ts';
import { renderTimeline } from '../timeline.ts';

const RECOVERY: RecoveryFigures = {
  bounds: { healthyMs: 5_500, firstAckMs: 6_500, basis: 'breaker reset 1500 + ...' },
  verdict: 'invalid',
  reason: '1 of 3 heal(s) recovered late',
  byFault: { kill: { heals: 2, maxFirstAckMs: 120, maxHealthyMs: 7, late: 0, unknown: 0 }, 'db-down': { heals: 1, maxFirstAckMs: 9_000, maxHealthyMs: null, late: 1, unknown: 0 } },
  heals: [
    { fault: 'kill', node: 'node-2', healMs: 1_000, firstAckMs: 120, healthyMs: 7, verdict: 'within' },
    { fault: 'db-down', node: null, healMs: 5_000, firstAckMs: 9_000, healthyMs: null, verdict: 'late', why: 'first ok ack 9000 ms after the heal (bound 6500) <b>' },
    { fault: 'kill', node: 'node-1', healMs: 20_000, firstAckMs: 80, healthyMs: 5, verdict: 'within' },
  ],
};

describe('recovery after each heal in the reports', () => {
  it('one row per fault with the slowest first ack and healthy-again, late and not-judged counts; nothing for a result without it', () => {
    expect(recoveryOf({ recovery: RECOVERY })).toBe(RECOVERY);
    expect(recoveryOf({ seed: 1 })).toBeUndefined();
    expect(recoveryRows(RECOVERY)).toEqual([
      ['kill', '2', '120', '7', '0', '0'],
      ['db-down', '1', '9000', 'none', '1', '0'],
    ]);
  });

  it('the HTML lists every heal with its node, times and verdict, escaped; the timeline marks when health came back', () => {
    const html = renderRecoveryHtml('nemesis', RECOVERY);
    expect(html).toContain('<td>node-2</td>');
    expect(html).toContain('late (first ok ack 9000 ms after the heal (bound 6500) &lt;b&gt;)');
    expect(html).not.toContain('<b>');
    expect(html).toContain('Bounds: first ok ack 6500 ms, healthy 5500 ms');
    const timeline = renderTimeline({ name: 'nemesis', endMs: 30_000, ops: [], checkers: [], healthyAtMs: [1_007, 20_005] });
    expect(timeline.match(/class="healthy-again"/g)).toHaveLength(2);
    expect(timeline).toContain('<title>healthy again at 1007 ms</title>');
  });

  it('the HTML says what the bounds were made of and where each timing came from', () => {
    const timings = { BREAKER_RESET_TIMEOUT_MS: { ms: 1_500, from: 'GET /spec breakers.resetTimeoutMs of node-1, node-2' }, DEPENDENCY_TIMEOUT_MS: { ms: 3_000, from: "SPEC.md's defaults (not in GET /spec)" } };
    const html = renderRecoveryHtml('nemesis', { ...RECOVERY, bounds: { ...RECOVERY.bounds, timings } });
    expect(html).toContain('<tr><td>BREAKER_RESET_TIMEOUT_MS</td><td>1500</td><td>GET /spec breakers.resetTimeoutMs of node-1, node-2</td></tr>');
    expect(html).toContain('<td>SPEC.md&#39;s defaults (not in GET /spec)</td>');
    expect(renderRecoveryHtml('nemesis', RECOVERY)).not.toContain('recovery-timings');
  });

  it('a long run with hundreds of windows shades each one but labels only those with room, so labels never overlap', () => {
    const ops = Array.from({ length: 400 }, (_, i) => ({ index: i, f: 'nemesis', invokeMs: Math.floor(i / 2) * 1_000 + (i % 2) * 300, completeMs: Math.floor(i / 2) * 1_000 + (i % 2) * 300 + 1, outcome: 'ok' as const, value: { fault: 'db-down', phase: i % 2 ? 'heal' : 'start' } }));
    const html = renderTimeline({ name: 'nemesis', endMs: 200_000, ops, checkers: [] });
    expect(html.match(/class="fault-window"/g)).toHaveLength(200);
    const labels = [...html.matchAll(/<text x="([\d.]+)" y="16" font-size="10" fill="#0d47a1">db-down<\/text>/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
    expect(labels.length).toBeGreaterThan(5);
    expect(labels.length).toBeLessThan(200);
    for (let i = 1; i < labels.length; i++) expect(labels[i]! - labels[i - 1]!).toBeGreaterThanOrEqual('db-down'.length * 6);
  });
});
