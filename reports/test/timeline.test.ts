import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../html.ts';
import { counterexampleAnchor, renderTimeline, sendsToDraw, type TimelineInput, type TimelineOp } from '../timeline.ts';
import { mixedReport } from './fixtures.ts';

/** A kill run: sends every 100 ms, a kill at 1 s and a restart at 2 s with unanswered sends between, one lost ack. */
function killRun(): TimelineInput {
  const ops: TimelineOp[] = [];
  const op = (f: string, invokeMs: number, completeMs: number | null, outcome: TimelineOp['outcome'], value: Record<string, unknown> = {}) =>
    ops.push({ index: ops.length, f, invokeMs, completeMs, outcome, value });
  for (let t = 0; t < 3_000; t += 100) {
    const down = t >= 1_000 && t < 2_000;
    op('send', t, t + (down ? 5_000 : 20), down ? 'info' : 'ok');
    if (t === 1_000) op('nemesis', t, t + 5, 'ok', { fault: 'kill', phase: 'start' });
    if (t === 2_000) op('nemesis', t, t + 400, 'ok', { fault: 'kill', phase: 'heal' });
  }
  op('send', 2_900, 2_950, 'fail');
  return {
    name: 'kill',
    endMs: 3_500,
    ops,
    checkers: [
      { checker: 'exactly-once', verdict: 'invalid', reason: '1 counterexample(s): lost', counterexamples: [{ what: 'lost: u0/k3 acked as m3 seq 4 <script>', ops: [3] }] },
      { checker: 'seq-order', verdict: 'valid', reason: 'in order', counterexamples: [] },
    ],
  };
}

describe('chaos timeline (inline SVG in the HTML report)', () => {
  it('draws every send by outcome, the fault window, kill and restart, and links each failed checker to its counterexample', () => {
    const html = renderTimeline(killRun());
    expect(html.match(/class="op op-ok"/g)!.length).toBe(20);
    expect(html.match(/class="op op-info"/g)!.length).toBe(10);
    expect(html.match(/class="op op-fail"/g)!.length).toBe(1);
    expect(html).toMatch(/class="fault-window"[^>]*><title>kill 1000-2400 ms<\/title>/);
    expect(html).toContain('<title>kill (SIGKILL) at 1000 ms</title>');
    expect(html).toContain('<title>restart at 2000 ms</title>');
    const anchor = counterexampleAnchor('kill', 'exactly-once', 0);
    expect(html).toContain(`<a class="checker-link" href="#${anchor}">exactly-once</a>`);
    expect(html).toContain(`<li id="${anchor}">`);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });

  const chromium = '/usr/bin/chromium';
  it.skipIf(!existsSync(chromium))(`renders in headless chromium inside the report, under its CSP (skipped when ${chromium} is absent)`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sockproof-timeline-'));
    try {
      const file = join(dir, 'report.html');
      await writeFile(file, renderHtml(mixedReport(), [renderTimeline(killRun())]));
      const run = (args: string[]) => promisify(execFile)(chromium, ['--headless', '--no-sandbox', '--disable-gpu', ...args, `file://${file}`], { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
      const { stdout: dom } = await run(['--dump-dom']);
      // What the browser built: the SVG with its shapes, the checker link and its target.
      expect(dom).toMatch(/<svg[^>]*aria-label="timeline of kill"/);
      expect(dom.match(/<circle class="op op-/g)!.length).toBe(31);
      expect(dom).toContain(`id="${counterexampleAnchor('kill', 'exactly-once', 0)}"`);
      const shot = join(dir, 'shot.png');
      await run([`--screenshot=${shot}`, '--window-size=1200,1400']);
      expect((await readFile(shot)).subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('timeline of a long run (a load run: tens of thousands of sends)', () => {
  const send = (index: number, outcome: TimelineOp['outcome']): TimelineOp => ({ index, f: 'send', invokeMs: index, completeMs: index + 10, outcome, value: {} });
  const runs = fc.array(fc.constantFrom<TimelineOp['outcome']>('ok', 'ok', 'ok', 'ok', 'fail', 'info'), { maxLength: 400 }).map((outcomes) => outcomes.map((o, i) => send(i, o)));

  it('draws every send that is not ok or is in a counterexample, in order, and samples the ok ones down to the bound', () => {
    fc.assert(
      fc.property(runs, fc.integer({ min: 1, max: 300 }), fc.array(fc.nat(399), { maxLength: 5 }), (sends, max, rings) => {
        const ringed = new Set(rings);
        const drawn = sendsToDraw(sends, ringed, max);
        const must = sends.filter((o) => o.outcome !== 'ok' || ringed.has(o.index));
        if (sends.length <= max) expect(drawn).toEqual(sends);
        else expect(drawn.length).toBeLessThanOrEqual(Math.max(max, must.length));
        for (const o of must) expect(drawn).toContain(o);
        const indices = drawn.map((o) => o.index);
        expect(indices).toEqual([...indices].sort((a, b) => a - b));
        // Room left over is used: a sample, not nothing.
        if (sends.length > max && must.length < max && sends.length > must.length) expect(drawn.length).toBeGreaterThan(must.length);
      }),
    );
  });

  it('says in the legend how many sends it drew, and a counterexample on an undrawn ok send is still ringed', () => {
    const ops = Array.from({ length: 50_000 }, (_, i) => send(i, i % 1000 === 7 ? 'info' : 'ok'));
    const html = renderTimeline({ name: 'load', endMs: 60_000, ops, maxSends: 1_000, checkers: [{ checker: 'exactly-once', verdict: 'invalid', reason: 'lost', counterexamples: [{ what: 'lost: u1/k2', ops: [12_345] }] }] });
    expect(html).toContain('ack latency of 1000 of 50000 send attempts');
    expect(html.match(/class="op op-info"/g)!.length).toBe(50);
    expect(html.match(/class="op op-/g)!.length).toBe(1_000);
    expect(html).toContain('<circle class="op op-ok" cx="');
    expect(html.match(/class="counterexample"/g)!.length).toBe(1);
    expect(html).toContain('href="#ce-load-exactly-once-0"');
  });
});
