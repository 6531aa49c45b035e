import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText, prometheusCounterName, sampleValue } from '../checks/rules/prometheus-text.ts';

describe("S20's reading of the Prometheus text format", () => {
  it('reads what prom-client serves: counters, labelled gauges, process metrics', async () => {
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry, prefix: 'sockproof_' });
    new client.Counter({ name: 'sockproof_messages_sent_total', help: 'sent', registers: [registry] }).inc(7);
    new client.Gauge({ name: 'sockproof_state_entries', help: 'state "entries"\nby kind', labelNames: ['kind'], registers: [registry] }).set({ kind: 'a"b\\c' }, 3);
    const parsed = parsePrometheusText(await registry.metrics());
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(sampleValue(parsed.samples, 'sockproof_messages_sent_total')).toBe(7);
    expect(parsed.samples.find((s) => s.name === 'sockproof_state_entries')).toEqual({ name: 'sockproof_state_entries', labels: { kind: 'a"b\\c' }, value: 3 });
    expect(parsed.samples.some((s) => s.name.startsWith('sockproof_process_'))).toBe(true);
  });
  it('names the line that is not the format', () => {
    expect(parsePrometheusText('# TYPE a counter\na 1\n{"messagesSent": 3}\n')).toMatchObject({ ok: false, line: 3 });
    expect(parsePrometheusText('a{kind=unquoted} 1\n')).toMatchObject({ ok: false, line: 1 });
    expect(parsePrometheusText('a one\n')).toMatchObject({ ok: false, why: expect.stringContaining('not a number') });
    expect(parsePrometheusText('# TYPE a countre\n')).toMatchObject({ ok: false });
    expect(parsePrometheusText('a +Inf 1700000000000\nb Nan\nc -1.5e3\n')).toMatchObject({ ok: true, samples: [{ value: Infinity }, { value: NaN }, { value: -1500 }] });
  });
  it("names MET-1's counters as MET-3 says", () => {
    expect(prometheusCounterName('messagesSent')).toBe('sockproof_messages_sent_total');
    expect(prometheusCounterName('staleEntriesCleaned')).toBe('sockproof_stale_entries_cleaned_total');
  });
});
