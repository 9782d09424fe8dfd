/**
 * @file Line and scatter charts drawn with characters, for a terminal: each
 * series gets a symbol, lines are sampled once per column, axes are linear or
 * logarithmic. Meant for a glance, not for reading values off.
 */
import { sig } from "./notebook.js";

/** One series of (x, y) points. */
export interface ChartSeries {
  name: string;
  points: readonly (readonly [number, number])[];
  /** Character to draw with (default: one per series from `•×+o#`). */
  symbol?: string;
  /** Join the points (default true); false marks the points only. */
  line?: boolean;
}

/** Layout and axes of a chart. */
export interface ChartOptions {
  title?: string;
  /** Plot area in characters (default 64 × 14). */
  width?: number;
  height?: number;
  xLabel?: string;
  yLabel?: string;
  logX?: boolean;
  logY?: boolean;
  /** Fixed y range (default: the data's). */
  yMin?: number;
  yMax?: number;
}

const SYMBOLS = ["•", "×", "+", "o", "#", "*"];

/** Renders series as a multi-line string (the legend below the x axis). */
export function asciiChart(series: readonly ChartSeries[], opts: ChartOptions = {}): string {
  const { width = 64, height = 14, logX = false, logY = false } = opts;
  const fx = (x: number) => (logX ? Math.log10(x) : x);
  const fy = (y: number) => (logY ? Math.log10(y) : y);
  const ok = ([x, y]: readonly [number, number]) => Number.isFinite(fx(x)) && Number.isFinite(fy(y));
  const all = series.flatMap((s) => s.points.filter(ok));
  if (all.length === 0) return `${opts.title ?? ""}\n(no finite points to plot)`;
  const xs = all.map((p) => fx(p[0]));
  const ys = all.map((p) => fy(p[1]));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [opts.yMin === undefined ? Math.min(...ys) : fy(opts.yMin), opts.yMax === undefined ? Math.max(...ys) : fy(opts.yMax)];
  if (x1 - x0 < 1e-12) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 - y0 < 1e-12) [y0, y1] = [y0 - 1, y1 + 1];
  const grid = Array.from({ length: height }, () => new Array<string>(width).fill(" "));
  const col = (x: number) => Math.round(((x - x0) / (x1 - x0)) * (width - 1));
  const row = (y: number) => height - 1 - Math.round(((y - y0) / (y1 - y0)) * (height - 1));
  const put = (c: number, r: number, ch: string) => {
    if (c >= 0 && c < width && r >= 0 && r < height) grid[r]![c] = ch;
  };
  series.forEach((s, i) => {
    const ch = s.symbol ?? SYMBOLS[i % SYMBOLS.length]!;
    const pts = s.points.filter(ok).map(([x, y]) => [fx(x), fy(y)] as const).sort((a, b) => a[0] - b[0]);
    if (s.line === false || pts.length < 2) {
      for (const [x, y] of pts) put(col(x), row(y), ch);
      return;
    }
    // one sample per column between neighbouring points (linear interpolation in the plotted space)
    // and a vertical run where the curve jumps by more than one row between columns
    let j = 0;
    let prev: number | null = null;
    for (let c = col(pts[0]![0]); c <= col(pts[pts.length - 1]![0]); c++) {
      const x = x0 + (c / (width - 1)) * (x1 - x0);
      while (j < pts.length - 2 && pts[j + 1]![0] < x) j++;
      const [[xa, ya], [xb, yb]] = [pts[j]!, pts[j + 1]!];
      const t = xb === xa ? 0 : Math.min(1, Math.max(0, (x - xa) / (xb - xa)));
      const r = row(ya + t * (yb - ya));
      if (prev !== null) for (let k = Math.min(prev, r) + 1; k < Math.max(prev, r); k++) put(c, k, ch);
      put(c, r, ch);
      prev = r;
    }
  });
  const label = (v: number, log: boolean) => sig(log ? 10 ** v : v, 3);
  const yLabels = grid.map((_, r) => (r === 0 ? label(y1, logY) : r === height - 1 ? label(y0, logY) : r === Math.floor(height / 2) ? label(y0 + (y1 - y0) * (1 - r / (height - 1)), logY) : ""));
  const pad = Math.max(...yLabels.map((l) => l.length));
  const lines: string[] = [];
  if (opts.title) lines.push(opts.title);
  if (opts.yLabel) lines.push(`${" ".repeat(pad)} ${opts.yLabel}${logY ? " (log)" : ""}`);
  grid.forEach((r, i) => lines.push(`${yLabels[i]!.padStart(pad)} ┤${r.join("")}`));
  lines.push(`${" ".repeat(pad)} └${"─".repeat(width)}`);
  const [lo, hi] = [label(x0, logX), label(x1, logX)];
  const xl = opts.xLabel ? `${opts.xLabel}${logX ? " (log)" : ""}` : "";
  const mid = Math.max(1, width - lo.length - hi.length - xl.length);
  lines.push(`${" ".repeat(pad + 2)}${lo}${" ".repeat(Math.floor(mid / 2))}${xl}${" ".repeat(Math.ceil(mid / 2))}${hi}`);
  if (series.length > 1 || series[0]?.name) {
    lines.push(`${" ".repeat(pad + 2)}${series.map((s, i) => `${s.symbol ?? SYMBOLS[i % SYMBOLS.length]} ${s.name}`).join("   ")}`);
  }
  return lines.join("\n");
}
