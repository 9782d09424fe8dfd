/**
 * @file Line and scatter plots as plain SVG strings (no dependencies): linear
 * or log axes with tick labels and grid, series drawn as lines, markers and
 * shaded bands, a legend and a title. Enough for reports and notebooks.
 */
import { linearTicks } from "./ticks.js";

/** An axis: its label, scale, and optional fixed limits. */
export interface AxisSpec {
  label: string;
  /** Logarithmic scale (values ≤ 0 are dropped). */
  log?: boolean;
  min?: number;
  max?: number;
}

/** A marker shape. */
export type MarkerShape = "circle" | "square" | "diamond" | "triangle" | "cross";

/** One series: points joined by a line and/or marked, and/or a shaded band. */
export interface SeriesSpec {
  /** Legend entry; series without a name are not listed. */
  name?: string;
  /** Colour (default: the palette, by series index). */
  color?: string;
  /** (x, y) points, in drawing order. */
  points?: readonly (readonly [number, number])[];
  /** Join the points with a line (default true). */
  line?: boolean;
  /** Dash pattern for the line, e.g. `"6 4"`. */
  dash?: string;
  lineWidth?: number;
  /** Marker at each point (default none). */
  marker?: MarkerShape;
  markerSize?: number;
  /** Marker fill (default: the series colour; `"none"` for hollow). */
  markerFill?: string;
  /** A shaded region: (x, lower, upper) triples. */
  band?: readonly (readonly [number, number, number])[];
  /** Opacity of the band fill (default 0.18). */
  bandOpacity?: number;
  /** A direct label written beside the series' last point (for plots with many lines). */
  label?: string;
}

/** A horizontal reference line across the plot, e.g. a baseline loss. */
export interface ReferenceLine {
  y: number;
  /** Written above the line at its left end. */
  label: string;
  color?: string;
}

/** A whole plot. */
export interface PlotSpec {
  title?: string;
  /** Pixel size (default 720 × 450). */
  width?: number;
  height?: number;
  x: AxisSpec;
  y: AxisSpec;
  series: readonly SeriesSpec[];
  /** Legend position (default "right", outside the plotting area, in as many columns as it needs; never cut off). */
  legend?: "right" | "none";
  /** Horizontal reference lines (the y-axis always includes them). */
  references?: readonly ReferenceLine[];
}

/** The default colours (Tableau 10). */
export const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

/** A colour from a sequential ramp (viridis-like), `t` in [0, 1]. */
export function rampColor(t: number): string {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const u = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const c = stops[i]!.map((v, k) => Math.round(v + (stops[i + 1]![k]! - v) * (u - i)));
  return `rgb(${c.join(",")})`;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const SUP: Record<string, string> = { "-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹" };

/** A log-axis tick: plain between 0.01 and 1000 (`0.5`, `40`), else `2×10⁵`, `10⁻³`. */
export function formatPower(v: number): string {
  if (v >= 0.01 && v < 1000) return String(Number(v.toPrecision(2)));
  const e = Math.floor(Math.log10(v) + 1e-9);
  const m = Math.round(v / 10 ** e);
  const p = `10${String(e).split("").map((ch) => SUP[ch] ?? ch).join("")}`;
  return m === 1 ? p : `${m}×${p}`;
}

interface Scale {
  map: (v: number) => number;
  ticks: { v: number; label: string | null }[];
}

function makeScale(axis: AxisSpec, values: number[], p0: number, p1: number): Scale {
  const vals = values.filter((v) => Number.isFinite(v) && (!axis.log || v > 0));
  let lo = axis.min ?? (vals.length ? Math.min(...vals) : axis.log ? 1 : 0);
  let hi = axis.max ?? (vals.length ? Math.max(...vals) : axis.log ? 10 : 1);
  if (axis.log) {
    let [a, b] = [Math.log10(lo), Math.log10(hi)];
    if (b - a < 1e-9) [a, b] = [a - 0.5, b + 0.5];
    const pad = axis.min === undefined && axis.max === undefined ? (b - a) * 0.04 : 0;
    [a, b] = [a - pad, b + pad];
    const map = (v: number) => p0 + ((Math.log10(v) - a) / (b - a)) * (p1 - p0);
    const ticks: Scale["ticks"] = [];
    const decades = b - a;
    for (let e = Math.floor(a); e <= Math.ceil(b); e++) {
      for (const m of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
        const v = m * 10 ** e;
        const lv = Math.log10(v);
        if (lv < a - 1e-9 || lv > b + 1e-9) continue;
        const labelled = m === 1 || (decades < 1.5 && (m === 2 || m === 5)) || (decades < 0.6);
        ticks.push({ v, label: labelled ? formatPower(v) : null });
      }
    }
    return { map, ticks };
  }
  if (hi - lo < 1e-12) [lo, hi] = [lo - 0.5, hi + 0.5];
  if (axis.min === undefined && axis.max === undefined) {
    const pad = (hi - lo) * 0.05;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const ticks = linearTicks(lo, hi, 6).map((t) => ({ v: t.value, label: t.label }));
  return { map: (v) => p0 + ((v - lo) / (hi - lo)) * (p1 - p0), ticks };
}

function marker(shape: MarkerShape, x: number, y: number, r: number, color: string, fill: string): string {
  const f = fill === "none" ? "none" : fill;
  switch (shape) {
    case "circle": return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r}" fill="${f}" stroke="${color}" stroke-width="1.2"/>`;
    case "square": return `<rect x="${(x - r).toFixed(1)}" y="${(y - r).toFixed(1)}" width="${2 * r}" height="${2 * r}" fill="${f}" stroke="${color}" stroke-width="1.2"/>`;
    case "diamond": return `<polygon points="${x},${y - r * 1.3} ${x + r * 1.3},${y} ${x},${y + r * 1.3} ${x - r * 1.3},${y}" fill="${f}" stroke="${color}" stroke-width="1.2"/>`;
    case "triangle": return `<polygon points="${x},${y - r * 1.3} ${x + r * 1.2},${y + r} ${x - r * 1.2},${y + r}" fill="${f}" stroke="${color}" stroke-width="1.2"/>`;
    case "cross": return `<path d="M${x - r},${y - r}L${x + r},${y + r}M${x - r},${y + r}L${x + r},${y - r}" stroke="${color}" stroke-width="1.6"/>`;
  }
}

/** Height of one legend entry (px). */
const LEGEND_ROW = 18;

/** Renders a plot to a standalone SVG document. */
export function plotSvg(spec: PlotSpec): string {
  const H = spec.height ?? 450;
  const named = spec.series.filter((s) => s.name !== undefined);
  const top = spec.title ? 36 : 14;
  const bottom = 50;
  const rowsPerColumn = Math.max(1, Math.floor((H - top - bottom - 10) / LEGEND_ROW));
  const columns = spec.legend === "none" || named.length === 0 ? 0 : Math.ceil(named.length / rowsPerColumn);
  const columnW = columns === 0 ? 0 : 36 + 6.6 * Math.max(...named.map((s) => s.name!.length));
  const legendW = columns * columnW;
  const labelW = Math.max(0, ...spec.series.map((s) => (s.label ? 10 + 6.6 * s.label.length : 0)));
  const m = { left: 70, right: 16 + labelW + legendW, top, bottom };
  const W = Math.max(spec.width ?? 720, m.left + m.right + 360); // the plotting area keeps at least 360 px
  const [x0, x1, y0, y1] = [m.left, W - m.right, H - m.bottom, m.top];
  const keep = (ax: AxisSpec) => (v: number) => Number.isFinite(v) && (!ax.log || v > 0);
  const xs = spec.series.flatMap((s) => [...(s.points ?? []).map((p) => p[0]), ...(s.band ?? []).map((b) => b[0])]);
  const ys = [...spec.series.flatMap((s) => [...(s.points ?? []).map((p) => p[1]), ...(s.band ?? []).flatMap((b) => [b[1], b[2]])]), ...(spec.references ?? []).map((r) => r.y)];
  const sx = makeScale(spec.x, xs, x0, x1);
  const sy = makeScale(spec.y, ys, y0, y1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  if (spec.title) out.push(`<text x="${(x0 + x1) / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(spec.title)}</text>`);
  for (const t of sx.ticks) {
    const px = sx.map(t.v).toFixed(1);
    out.push(`<line x1="${px}" y1="${y0}" x2="${px}" y2="${y1}" stroke="${t.label ? "#ddd" : "#f0f0f0"}"/>`);
    if (t.label) out.push(`<text x="${px}" y="${y0 + 16}" text-anchor="middle">${esc(t.label)}</text>`);
  }
  for (const t of sy.ticks) {
    const py = sy.map(t.v).toFixed(1);
    out.push(`<line x1="${x0}" y1="${py}" x2="${x1}" y2="${py}" stroke="${t.label ? "#ddd" : "#f0f0f0"}"/>`);
    if (t.label) out.push(`<text x="${x0 - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${esc(t.label)}</text>`);
  }
  out.push(`<rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${(x0 + x1) / 2}" y="${H - 10}" text-anchor="middle">${esc(spec.x.label)}</text>`);
  out.push(`<text transform="translate(16 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.y.label)}</text>`);
  const clip = `clip-${[...(spec.title ?? "") + spec.x.label + spec.y.label].reduce((h, ch) => (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0, 7).toString(36)}`;
  out.push(`<defs><clipPath id="${clip}"><rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}"/></clipPath></defs><g clip-path="url(#${clip})">`);
  const color = (s: SeriesSpec, i: number) => s.color ?? PALETTE[i % PALETTE.length]!;
  spec.series.forEach((s, i) => {
    const band = (s.band ?? []).filter((b) => keep(spec.x)(b[0]) && keep(spec.y)(b[1]) && keep(spec.y)(b[2]));
    if (band.length < 2) return;
    const upper = band.map((b) => `${sx.map(b[0]).toFixed(1)},${sy.map(b[2]).toFixed(1)}`);
    const lower = band.map((b) => `${sx.map(b[0]).toFixed(1)},${sy.map(b[1]).toFixed(1)}`).reverse();
    out.push(`<polygon points="${[...upper, ...lower].join(" ")}" fill="${color(s, i)}" fill-opacity="${s.bandOpacity ?? 0.18}" stroke="none"/>`);
  });
  spec.series.forEach((s, i) => {
    const pts = (s.points ?? []).filter((p) => keep(spec.x)(p[0]) && keep(spec.y)(p[1])).map((p) => [sx.map(p[0]), sy.map(p[1])] as const);
    const c = color(s, i);
    if ((s.line ?? true) && pts.length >= 2) {
      out.push(`<polyline points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ")}" fill="none" stroke="${c}" stroke-width="${s.lineWidth ?? 1.8}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`);
    }
    if (s.marker) for (const [x, y] of pts) out.push(marker(s.marker, x, y, s.markerSize ?? 3.5, c, s.markerFill ?? c));
  });
  for (const r of spec.references ?? []) {
    if (!keep(spec.y)(r.y)) continue;
    const py = sy.map(r.y).toFixed(1);
    out.push(`<line x1="${x0}" y1="${py}" x2="${x1}" y2="${py}" stroke="${r.color ?? "#555"}" stroke-width="1.2" stroke-dasharray="7 4"/>`);
    out.push(`<text x="${x0 + 6}" y="${(Number(py) - 4).toFixed(1)}" fill="${r.color ?? "#555"}">${esc(r.label)}</text>`);
  }
  out.push("</g>");
  spec.series.forEach((s, i) => {
    const last = (s.points ?? []).filter((p) => keep(spec.x)(p[0]) && keep(spec.y)(p[1])).at(-1);
    if (s.label && last) out.push(`<text x="${(sx.map(last[0]) + 5).toFixed(1)}" y="${sy.map(last[1]).toFixed(1)}" dominant-baseline="middle" font-size="11" fill="${color(s, i)}">${esc(s.label)}</text>`);
  });
  if (legendW > 0) {
    named.forEach((s, k) => {
      const i = spec.series.indexOf(s);
      const lx = x1 + labelW + 14 + Math.floor(k / rowsPerColumn) * columnW;
      const ly = y1 + 10 + (k % rowsPerColumn) * LEGEND_ROW;
      const c = color(s, i);
      if (s.line ?? true) out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${c}" stroke-width="${s.lineWidth ?? 1.8}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`);
      else if (s.band && !s.points) out.push(`<rect x="${lx}" y="${ly - 6}" width="22" height="12" fill="${c}" fill-opacity="${s.bandOpacity ?? 0.18}"/>`);
      if (s.marker) out.push(marker(s.marker, lx + 11, ly, s.markerSize ?? 3.5, c, s.markerFill ?? c));
      out.push(`<text x="${lx + 28}" y="${ly}" dominant-baseline="middle">${esc(s.name!)}</text>`);
    });
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
