/**
 * @file The interval ("forest") plot of an ablation report: one row per
 * variant, its paired difference to the baseline and the 95% interval, with
 * zero marked. Line plots come from the shared plot/svg.ts, which has no
 * categorical axis yet; this could move there once it does.
 */
import { PALETTE } from "../plot/svg.js";
import { linearTicks } from "../plot/ticks.js";

/** One row of an {@link intervalPlot}: a point estimate and its interval. */
export interface IntervalRow {
  label: string;
  mean: number;
  lo: number;
  hi: number;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const num = (v: number) => (Math.round(v * 100) / 100).toString();

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function axes(f: Frame, xs: [number, number], ys: [number, number], xLabel: string, yLabel: string, title: string, yTicks = true) {
  const px = (x: number) => f.left + ((x - xs[0]) / (xs[1] - xs[0] || 1)) * (f.width - f.left - f.right);
  const py = (y: number) => f.height - f.bottom - ((y - ys[0]) / (ys[1] - ys[0] || 1)) * (f.height - f.top - f.bottom);
  const parts = [`<rect x="${f.left}" y="${f.top}" width="${f.width - f.left - f.right}" height="${f.height - f.top - f.bottom}" fill="none" stroke="#888"/>`];
  for (const t of yTicks ? linearTicks(ys[0], ys[1], 5) : []) {
    parts.push(`<line x1="${f.left}" x2="${f.width - f.right}" y1="${num(py(t.value))}" y2="${num(py(t.value))}" stroke="#eee"/>`);
    parts.push(`<text x="${f.left - 6}" y="${num(py(t.value) + 4)}" text-anchor="end">${t.label}</text>`);
  }
  for (const t of linearTicks(xs[0], xs[1], 5)) parts.push(`<text x="${num(px(t.value))}" y="${f.height - f.bottom + 16}" text-anchor="middle">${t.label}</text>`);
  parts.push(`<text x="${(f.left + f.width - f.right) / 2}" y="${f.height - 6}" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(f.top + f.height - f.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  parts.push(`<text x="${f.width / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)}</text>`);
  return { px, py, parts };
}

const open = (w: number, h: number) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="Helvetica, Arial, sans-serif" font-size="12">\n<rect width="${w}" height="${h}" fill="white"/>`;

/** Horizontal intervals, one row per label, with a dashed line at zero (a forest plot); row i takes palette colour `firstColor + i`. */
export function intervalPlot(opts: { title: string; xLabel: string; rows: IntervalRow[]; width?: number; firstColor?: number }): string {
  const rowH = 28;
  const f: Frame = { width: opts.width ?? 720, height: 70 + rowH * opts.rows.length, left: 150, right: 30, top: 30, bottom: 40 };
  const vals = opts.rows.flatMap((r) => [r.lo, r.hi, r.mean]).filter(Number.isFinite);
  const span = Math.max(...vals.map(Math.abs), 1e-9) * 1.1;
  const xs: [number, number] = [-span, span];
  const { px, parts } = axes(f, xs, [0, 1], opts.xLabel, "", opts.title, false);
  for (const t of linearTicks(xs[0], xs[1], 5)) {
    parts.push(`<line x1="${num(px(t.value))}" x2="${num(px(t.value))}" y1="${f.top}" y2="${f.height - f.bottom}" stroke="#eee"/>`);
  }
  parts.push(`<line x1="${num(px(0))}" x2="${num(px(0))}" y1="${f.top}" y2="${f.height - f.bottom}" stroke="#444" stroke-dasharray="4 3"/>`);
  opts.rows.forEach((r, i) => {
    const y = f.top + rowH * (i + 0.75);
    const color = PALETTE[((opts.firstColor ?? 0) + i) % PALETTE.length]!;
    parts.push(`<text x="${f.left - 8}" y="${num(y + 4)}" text-anchor="end">${esc(r.label)}</text>`);
    if (Number.isFinite(r.lo) && Number.isFinite(r.hi)) parts.push(`<line x1="${num(px(r.lo))}" x2="${num(px(r.hi))}" y1="${num(y)}" y2="${num(y)}" stroke="${color}" stroke-width="2.5"/>`);
    if (Number.isFinite(r.mean)) parts.push(`<circle cx="${num(px(r.mean))}" cy="${num(y)}" r="4" fill="${color}"/>`);
  });
  return `${open(f.width, f.height)}\n${parts.join("\n")}\n</svg>\n`;
}
