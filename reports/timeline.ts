import { escapeHtml } from './escape-html.ts';

/**
 * A run's history as a timeline a person reads at a glance: inline SVG (no script, no external file, allowed
 * by the report's Content-Security-Policy), one per scenario. Send attempts over time at their ack latency,
 * coloured by outcome; fault windows shaded and labelled; kill and restart marks; and each checker's verdict,
 * a failed one linking to its counterexamples (anchors) whose ops are ringed on the timeline.
 * The input is structural (what testbed/history records), since reports/ sits below the suites.
 */
export interface TimelineOp {
  index: number;
  f: string;
  invokeMs: number;
  completeMs: number | null;
  outcome: 'ok' | 'fail' | 'info';
  /** A nemesis op's `fault` and `phase` (start, heal) are read; anything else is ignored. */
  value: Readonly<Record<string, unknown>>;
}

export interface TimelineChecker {
  checker: string;
  verdict: 'valid' | 'invalid' | 'unknown';
  reason: string;
  counterexamples: { what: string; ops: number[] }[];
}

export interface TimelineInput {
  /** The scenario's name: it names the anchors too. */
  name: string;
  endMs: number;
  ops: readonly TimelineOp[];
  checkers: readonly TimelineChecker[];
  /** When the deployment was healthy again after each heal (ms from the start; a nemesis run on a deployment). */
  healthyAtMs?: readonly number[];
  /**
   * Send attempts drawn at most (a load run has tens of thousands): every one not ok or in a counterexample,
   * and an even sample of the ok ones; the legend says how many were drawn. All when omitted.
   */
  maxSends?: number;
}

/** The sends to draw: all when they fit `max`; otherwise every one not ok or ringed, then every k-th ok one (pure). */
export function sendsToDraw(sends: readonly TimelineOp[], ringed: ReadonlySet<number>, max: number): readonly TimelineOp[] {
  if (sends.length <= max) return sends;
  const kept = sends.filter((o) => o.outcome !== 'ok' || ringed.has(o.index));
  const ok = sends.length - kept.length;
  const room = Math.max(0, max - kept.length);
  if (room === 0) return kept;
  const every = ok / room;
  let n = 0;
  let taken = 0;
  return sends.filter((o) => {
    if (o.outcome !== 'ok' || ringed.has(o.index)) return true;
    const take = taken < room && n++ >= taken * every;
    if (take) taken++;
    return take;
  });
}

const W = 960;
const H = 260;
const PAD = { left: 56, right: 12, top: 22, bottom: 28 };
const COLOUR = { ok: '#2e7d32', fail: '#c62828', info: '#ef6c00', window: '#90caf9', kill: '#b71c1c', restart: '#1b5e20', ring: '#6a1b9a' } as const;

const slug = (s: string) => s.replace(/[^a-z0-9-]/gi, '-').toLowerCase();
export const counterexampleAnchor = (scenario: string, checker: string, i: number) => `ce-${slug(scenario)}-${slug(checker)}-${i}`;

function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(1, v)));
  return Math.ceil(v / p) * p;
}

/** One scenario's timeline: an SVG and its checker list. */
export function renderTimeline(t: TimelineInput): string {
  const allSends = t.ops.filter((o) => o.f === 'send');
  const ringed = new Set(t.checkers.flatMap((c) => c.counterexamples.flatMap((ce) => ce.ops)));
  const sends = t.maxSends === undefined ? allSends : sendsToDraw(allSends, ringed, t.maxSends);
  const latency = (o: TimelineOp) => (o.completeMs === null ? null : o.completeMs - o.invokeMs);
  // A loop, not Math.max(...sends): a spread of 100k+ arguments overflows the stack.
  const maxLatency = niceMax(sends.reduce((m, o) => Math.max(m, latency(o) ?? 0), 10));
  const endMs = Math.max(1, t.endMs);
  const x = (ms: number) => PAD.left + (ms / endMs) * (W - PAD.left - PAD.right);
  const y = (lat: number) => H - PAD.bottom - (Math.min(lat, maxLatency) / maxLatency) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [];

  // Fault windows: from a start op to the next heal of the same fault.
  const open = new Map<string, number>();
  let labelFreeFrom = 0;
  for (const o of t.ops) {
    const fault = o.value.fault;
    if (o.f !== 'nemesis' || typeof fault !== 'string') continue;
    if (o.value.phase === 'start') open.set(fault, o.invokeMs);
    if (fault === 'kill') {
      const at = x(o.invokeMs);
      const colour = o.value.phase === 'start' ? COLOUR.kill : COLOUR.restart;
      parts.push(`<line x1="${at.toFixed(1)}" x2="${at.toFixed(1)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="${colour}" stroke-width="1.5"><title>${o.value.phase === 'start' ? 'kill (SIGKILL)' : 'restart'} at ${Math.round(o.invokeMs)} ms</title></line>`);
    }
    if (o.value.phase === 'heal' && open.has(fault)) {
      const from = open.get(fault)!;
      open.delete(fault);
      const to = o.completeMs ?? o.invokeMs;
      // A label where it fits before the next one (a long nemesis run has hundreds of windows); the window's title always says it.
      const fits = x(from) >= labelFreeFrom;
      if (fits) labelFreeFrom = x(from) + fault.length * 6 + 4;
      parts.unshift(
        `<rect class="fault-window" x="${x(from).toFixed(1)}" y="${PAD.top}" width="${Math.max(1, x(to) - x(from)).toFixed(1)}" height="${H - PAD.top - PAD.bottom}" fill="${COLOUR.window}" fill-opacity="0.35"><title>${escapeHtml(fault)} ${Math.round(from)}-${Math.round(to)} ms</title></rect>`,
        ...(fits ? [`<text x="${(x(from) + 2).toFixed(1)}" y="${PAD.top - 6}" font-size="10" fill="#0d47a1">${escapeHtml(fault)}</text>`] : []),
      );
    }
  }
  for (const [fault, from] of open) {
    parts.unshift(`<rect class="fault-window" x="${x(from).toFixed(1)}" y="${PAD.top}" width="${Math.max(1, x(endMs) - x(from)).toFixed(1)}" height="${H - PAD.top - PAD.bottom}" fill="${COLOUR.fail}" fill-opacity="0.15"><title>${escapeHtml(fault)} from ${Math.round(from)} ms, never healed</title></rect>`);
  }

  // Healthy again after a heal: a dashed mark, so the gap from the heal (end of the shading) reads as the recovery.
  for (const at of t.healthyAtMs ?? []) {
    parts.push(`<line class="healthy-again" x1="${x(at).toFixed(1)}" x2="${x(at).toFixed(1)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="${COLOUR.restart}" stroke-width="1" stroke-dasharray="3 3"><title>healthy again at ${Math.round(at)} ms</title></line>`);
  }

  // Send attempts: x when invoked, y its ack latency; unanswered ones (info) along the top.
  for (const o of sends) {
    const lat = latency(o);
    const cy = lat === null || o.outcome === 'info' ? PAD.top + 3 : y(lat);
    parts.push(`<circle class="op op-${o.outcome}" cx="${x(o.invokeMs).toFixed(1)}" cy="${cy.toFixed(1)}" r="2" fill="${COLOUR[o.outcome]}"><title>op ${o.index} ${o.outcome}${lat === null ? '' : ` ${Math.round(lat)} ms`}</title></circle>`);
  }

  // The ops of each counterexample, ringed, each ring a link to its counterexample.
  const byIndex = new Map(t.ops.map((o) => [o.index, o]));
  const items: string[] = [];
  for (const c of t.checkers) {
    const links = c.counterexamples.map((ce, i) => {
      const anchor = counterexampleAnchor(t.name, c.checker, i);
      for (const idx of ce.ops) {
        const o = byIndex.get(idx);
        if (!o) continue;
        const lat = latency(o);
        const cy = o.f === 'send' && lat !== null && o.outcome !== 'info' ? y(lat) : PAD.top + 3;
        parts.push(`<a href="#${anchor}"><circle class="counterexample" cx="${x(o.invokeMs).toFixed(1)}" cy="${cy.toFixed(1)}" r="6" fill="none" stroke="${COLOUR.ring}" stroke-width="2"><title>${escapeHtml(ce.what)}</title></circle></a>`);
      }
      return `<li id="${anchor}">${escapeHtml(ce.what)} <small>(ops ${ce.ops.join(', ')})</small></li>`;
    });
    const head = c.verdict === 'invalid' ? `<a class="checker-link" href="#${counterexampleAnchor(t.name, c.checker, 0)}">${escapeHtml(c.checker)}</a>` : escapeHtml(c.checker);
    items.push(`<li class="checker checker-${c.verdict}"><strong>${head}</strong> ${escapeHtml(c.verdict)}: ${escapeHtml(c.reason)}${links.length ? `<ol>${links.join('')}</ol>` : ''}</li>`);
  }

  const axes = [
    `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" stroke="#555"/>`,
    `<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#555"/>`,
    `<text x="${PAD.left - 4}" y="${PAD.top + 4}" font-size="10" text-anchor="end">${maxLatency} ms</text>`,
    `<text x="${PAD.left - 4}" y="${H - PAD.bottom}" font-size="10" text-anchor="end">0</text>`,
    `<text x="${W - PAD.right}" y="${H - 8}" font-size="10" text-anchor="end">${(endMs / 1000).toFixed(1)} s</text>`,
    `<text x="${PAD.left}" y="${H - 8}" font-size="10">0 s · ack latency of ${sends.length < allSends.length ? `${sends.length} of ${allSends.length} send attempts (all not ok, ok ones sampled)` : 'each send attempt'}: <tspan fill="${COLOUR.ok}">ok</tspan> <tspan fill="${COLOUR.fail}">fail</tspan> <tspan fill="${COLOUR.info}">info (no answer, top)</tspan> · shaded: fault windows · lines: <tspan fill="${COLOUR.kill}">kill</tspan> <tspan fill="${COLOUR.restart}">restart</tspan>${t.healthyAtMs?.length ? ' (dashed: healthy again)' : ''}</text>`,
  ];
  return `<section class="timeline" id="timeline-${slug(t.name)}">
<h2>Timeline: ${escapeHtml(t.name)}</h2>
<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="timeline of ${escapeHtml(t.name)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">
${axes.join('\n')}
${parts.join('\n')}
</svg>
<ul class="checkers">${items.join('\n')}</ul>
</section>`;
}
