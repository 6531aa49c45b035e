import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../html.ts';
import { counterexampleAnchor, renderTimeline, type TimelineInput, type TimelineOp } from '../timeline.ts';
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
