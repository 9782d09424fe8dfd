/**
 * @file Small statistics for the fits: a seeded generator for bootstrap
 * resampling (mulberry32), quantiles, and least-squares lines and parabolas
 * with their standard errors.
 */

/** A seeded uniform generator in [0, 1) (mulberry32; enough for resampling). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` indices drawn uniformly with replacement from [0, n). */
export function resampleIndices(n: number, random: () => number): number[] {
  return Array.from({ length: n }, () => Math.floor(random() * n));
}

/** The `q`-quantile (0..1) of `values` by linear interpolation (NumPy's default); NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const pos = (v.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}

/** A 95% percentile interval `[q2.5, q97.5]`. */
export function percentileInterval(values: readonly number[]): [number, number] {
  return [quantile(values, 0.025), quantile(values, 0.975)];
}

/** A least-squares line `y = intercept + slope·x`. */
export interface LineFit {
  slope: number;
  intercept: number;
  /** Standard error of the slope (NaN with fewer than 3 points). */
  slopeSe: number;
  /** Root-mean-square residual. */
  rmse: number;
}

/** Ordinary least squares of `y` on `x` (needs ≥ 2 points with distinct x). */
export function fitLine(x: readonly number[], y: readonly number[]): LineFit {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (y[i]! - intercept - slope * x[i]!) ** 2;
  return { slope, intercept, slopeSe: n > 2 ? Math.sqrt(sse / (n - 2) / sxx) : NaN, rmse: Math.sqrt(sse / n) };
}

/** Solves the 3×3 system `M·v = r` by Gaussian elimination with partial pivoting (null if singular). */
function solve3(M: number[][], r: number[]): number[] | null {
  const a = M.map((row, i) => [...row, r[i]!]);
  for (let c = 0; c < 3; c++) {
    let p = c;
    for (let i = c + 1; i < 3; i++) if (Math.abs(a[i]![c]!) > Math.abs(a[p]![c]!)) p = i;
    if (Math.abs(a[p]![c]!) < 1e-300) return null;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let i = c + 1; i < 3; i++) {
      const f = a[i]![c]! / a[c]![c]!;
      for (let j = c; j < 4; j++) a[i]![j]! -= f * a[c]![j]!;
    }
  }
  const v = [0, 0, 0];
  for (let i = 2; i >= 0; i--) {
    let s = a[i]![3]!;
    for (let j = i + 1; j < 3; j++) s -= a[i]![j]! * v[j]!;
    v[i] = s / a[i]![i]!;
  }
  return v;
}

/** `y = c0 + c1·x + c2·x²`. */
export interface Parabola {
  c0: number;
  c1: number;
  c2: number;
}

/**
 * Least-squares parabola through (x, y), or null when x has fewer than 3
 * distinct values. x is centred and scaled internally for conditioning.
 */
export function fitParabola(x: readonly number[], y: readonly number[]): Parabola | null {
  if (new Set(x).size < 3) return null;
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const sx = Math.max(...x.map((v) => Math.abs(v - mx))) || 1;
  const s = [0, 0, 0, 0, 0];
  const t = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const u = (x[i]! - mx) / sx;
    for (let k = 0; k <= 4; k++) s[k]! += u ** k;
    for (let k = 0; k <= 2; k++) t[k]! += y[i]! * u ** k;
  }
  const v = solve3([[s[0]!, s[1]!, s[2]!], [s[1]!, s[2]!, s[3]!], [s[2]!, s[3]!, s[4]!]], t);
  if (v === null) return null;
  const [b0, b1, b2] = v as [number, number, number];
  // y = b0 + b1·(x − m)/s + b2·((x − m)/s)², expanded in powers of x
  const c2 = b2 / (sx * sx);
  const c1 = b1 / sx - 2 * c2 * mx;
  const c0 = b0 - (b1 * mx) / sx + c2 * mx * mx;
  return { c0, c1, c2 };
}
