import { escapeHtml } from './escape-html.ts';

/**
 * Charts as inline SVG for the self-contained HTML report: no script, no CDN, no `style` attribute (the page's
 * Content-Security-Policy allows neither); colours and fonts are presentation attributes. Every label is
 * escaped; numbers are formatted here. Pure: data in, markup out.
 */

/** Colour of the i-th series, from a fixed table (distinguishable, and legible on white). */
export const SERIES_COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'] as const;
const colour = (i: number) => SERIES_COLOURS[i % SERIES_COLOURS.length]!;

const WIDTH = 640;
const HEIGHT = 260;
// Room at the top for the title and two rows of three legend entries.
const MARGIN = { left: 56, right: 16, top: 56, bottom: 36 };
const LEGEND_PER_ROW = 3;
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

export interface LineSeries {
  name: string;
  /** [x, y]; a null y leaves a gap. */
  points: ReadonlyArray<readonly [number, number | null]>;
}

/** The smallest "round" number (1, 2 or 5 times a power of ten) at or above `v`; 1 for nothing to show. */
export function niceCeiling(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * power).find((c) => c >= v * (1 - 1e-12))!;
}

function label(v: number): string {
  if (v >= 10_000) return `${Math.round(v / 1000)}k`;
  return String(Math.round(v * 100) / 100);
}

function frame(title: string, yLabel: string, xLabel: string, body: string, legend: readonly string[]): string {
  const legendItems = legend
    .map((name, i) => {
      const x = MARGIN.left + (i % LEGEND_PER_ROW) * 190;
      const y = 22 + Math.floor(i / LEGEND_PER_ROW) * 14;
      return `<rect x="${x}" y="${y}" width="10" height="10" fill="${colour(i)}"/><text x="${x + 14}" y="${y + 9}" font-size="11">${escapeHtml(name.slice(0, 40))}</text>`;
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="plot" role="img" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif">` +
    `<title>${escapeHtml(title)}</title>` +
    `<text x="${MARGIN.left}" y="14" font-size="13" font-weight="600">${escapeHtml(title)}</text>${legendItems}` +
    `<text x="${MARGIN.left + PLOT_W / 2}" y="${HEIGHT - 4}" font-size="11" text-anchor="middle">${escapeHtml(xLabel)}</text>` +
    `<text x="12" y="${MARGIN.top + PLOT_H / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${MARGIN.top + PLOT_H / 2})">${escapeHtml(yLabel)}</text>` +
    `${body}</svg>`
  );
}

/** Horizontal grid lines with their values, 0 to yMax. */
function yAxis(yMax: number): string {
  return [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const y = MARGIN.top + PLOT_H * (1 - f);
      return `<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${MARGIN.left - 4}" y="${y + 4}" font-size="10" text-anchor="end">${label(yMax * f)}</text>`;
    })
    .join('');
}

/** Lines over a numeric x axis (e.g. seconds into the run), one colour per series. */
export function lineChart(opts: { title: string; xLabel: string; yLabel: string; series: readonly LineSeries[] }): string {
  const xs = opts.series.flatMap((s) => s.points.map(([x]) => x));
  const ys = opts.series.flatMap((s) => s.points.flatMap(([, y]) => (y === null ? [] : [y])));
  const xMin = Math.min(0, ...xs);
  const xMax = Math.max(xMin + 1, ...xs);
  const yMax = niceCeiling(Math.max(0, ...ys));
  const px = (x: number) => MARGIN.left + ((x - xMin) / (xMax - xMin)) * PLOT_W;
  const py = (y: number) => MARGIN.top + PLOT_H * (1 - y / yMax);
  const xTicks = Array.from({ length: 5 }, (_, i) => xMin + ((xMax - xMin) * i) / 4)
    .map((x) => `<text x="${px(x)}" y="${MARGIN.top + PLOT_H + 14}" font-size="10" text-anchor="middle">${label(x)}</text>`)
    .join('');
  const lines = opts.series
    .map((s, i) => {
      // A null y ends a segment; each run of points is its own polyline.
      const segments: string[][] = [[]];
      for (const [x, y] of s.points) {
        if (y === null) segments.push([]);
        else segments.at(-1)!.push(`${px(x).toFixed(1)},${py(y).toFixed(1)}`);
      }
      return segments
        .filter((seg) => seg.length > 0)
        .map((seg) => (seg.length === 1 ? `<circle cx="${seg[0]!.split(',')[0]}" cy="${seg[0]!.split(',')[1]}" r="2.5" fill="${colour(i)}"/>` : `<polyline fill="none" stroke="${colour(i)}" stroke-width="2" points="${seg.join(' ')}"/>`))
        .join('');
    })
    .join('');
  return frame(opts.title, opts.yLabel, opts.xLabel, yAxis(yMax) + xTicks + lines, opts.series.map((s) => s.name));
}

/** Grouped bars over shared bins: each series' counts shown as a share (%) of its own total, so runs of different sizes compare. */
export function histogramChart(opts: { title: string; xLabel: string; binLabels: readonly string[]; series: ReadonlyArray<{ name: string; counts: readonly number[] }> }): string {
  const shares = opts.series.map((s) => {
    const total = s.counts.reduce((a, b) => a + b, 0);
    return s.counts.map((c) => (total > 0 ? (c / total) * 100 : 0));
  });
  const yMax = niceCeiling(Math.max(0, ...shares.flat()));
  const bins = opts.binLabels.length;
  const slot = PLOT_W / Math.max(1, bins);
  const barW = (slot * 0.8) / Math.max(1, opts.series.length);
  const bars = shares
    .map((values, i) =>
      values
        .map((v, b) => {
          const h = (v / yMax) * PLOT_H;
          return v > 0 ? `<rect x="${(MARGIN.left + b * slot + slot * 0.1 + i * barW).toFixed(1)}" y="${(MARGIN.top + PLOT_H - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${colour(i)}"/>` : '';
        })
        .join(''),
    )
    .join('');
  const xTicks = opts.binLabels
    .map((l, b) => (b % 2 === 0 ? `<text x="${(MARGIN.left + b * slot + slot / 2).toFixed(1)}" y="${MARGIN.top + PLOT_H + 14}" font-size="9" text-anchor="middle">${escapeHtml(l)}</text>` : ''))
    .join('');
  return frame(opts.title, '% of acks', opts.xLabel, yAxis(yMax) + bars + xTicks, opts.series.map((s) => s.name));
}
