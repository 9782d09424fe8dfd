/**
 * @file Limited-memory BFGS with a strong-Wolfe line search (Nocedal &
 * Wright, "Numerical Optimization", Alg. 7.4 and 3.5/3.6), in float64.
 * Tolerances are relative to |f| (not to max(|f|, 1) as SciPy's L-BFGS-B),
 * so tiny objectives such as a Huber loss are still minimised to the end.
 */

/** `f(x)`, writing ∇f(x) into `grad`. */
export type ObjectiveWithGradient = (x: Float64Array, grad: Float64Array) => number;

/** Options of {@link minimizeLbfgs}. */
export interface LbfgsOptions {
  /** Iteration cap (default 5000). */
  maxIterations?: number;
  /** Stop when ‖∇f‖∞ ≤ gradTol (default 1e-12). */
  gradTol?: number;
  /** Stop when an iteration improves f by less than `fTol·|f|` (default 1e-15). */
  fTol?: number;
  /** Correction pairs kept (default 10). */
  memory?: number;
}

/** Why {@link minimizeLbfgs} stopped. */
export type LbfgsReason = "gradient" | "function" | "line-search" | "max-iterations" | "non-finite";

/** The result of {@link minimizeLbfgs}. */
export interface LbfgsResult {
  x: Float64Array;
  f: number;
  /** ‖∇f‖∞ at `x`. */
  gradNorm: number;
  iterations: number;
  evaluations: number;
  reason: LbfgsReason;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const infNorm = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** Minimiser of the cubic through (a, fa, ga), (b, fb, gb), kept inside [lo, hi]; bisection when it does not exist. */
function cubicMin(a: number, fa: number, ga: number, b: number, fb: number, gb: number, lo: number, hi: number): number {
  const d1 = ga + gb - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - ga * gb;
  if (disc >= 0) {
    const d2 = Math.sign(b - a) * Math.sqrt(disc);
    const t = b - (b - a) * ((gb + d2 - d1) / (gb - ga + 2 * d2));
    if (Number.isFinite(t) && t > Math.min(lo, hi) && t < Math.max(lo, hi)) return t;
  }
  return (lo + hi) / 2;
}

/** Strong-Wolfe line search along `d` from `x` (Nocedal & Wright Alg. 3.5 with the zoom of Alg. 3.6). */
function lineSearch(
  fg: ObjectiveWithGradient, x: Float64Array, f0: number, g0: Float64Array, d: Float64Array, step0: number,
  xNew: Float64Array, gNew: Float64Array, counter: { evals: number },
): { step: number; f: number } | null {
  const c1 = 1e-4;
  const c2 = 0.9;
  const dg0 = dot(g0, d);
  const phi = (t: number): [number, number] => {
    for (let i = 0; i < x.length; i++) xNew[i] = x[i]! + t * d[i]!;
    counter.evals++;
    const f = fg(xNew, gNew);
    return [f, dot(gNew, d)];
  };
  const zoom = (lo: number, flo: number, glo: number, hi: number, fhi: number, ghi: number) => {
    for (let k = 0; k < 60; k++) {
      const t = cubicMin(lo, flo, glo, hi, fhi, ghi, lo + 0.1 * (hi - lo), hi - 0.1 * (hi - lo));
      const [f, g] = phi(t);
      if (!Number.isFinite(f) || f > f0 + c1 * t * dg0 || f >= flo) {
        [hi, fhi, ghi] = [t, f, g];
      } else {
        if (Math.abs(g) <= -c2 * dg0) return { step: t, f };
        if (g * (hi - lo) >= 0) [hi, fhi, ghi] = [lo, flo, glo];
        [lo, flo, glo] = [t, f, g];
      }
      if (Math.abs(hi - lo) <= 1e-16 * Math.max(1, Math.abs(lo))) break;
    }
    if (flo < f0) {
      phi(lo); // leave xNew/gNew at the best point found
      return { step: lo, f: flo };
    }
    return null;
  };
  let prev = 0;
  let fPrev = f0;
  let gPrev = dg0;
  let t = step0;
  for (let i = 0; i < 40; i++) {
    const [f, g] = phi(t);
    if (!Number.isFinite(f) || f > f0 + c1 * t * dg0 || (i > 0 && f >= fPrev)) {
      if (!Number.isFinite(f)) {
        t = prev + (t - prev) / 4; // stepped out of the domain: come back
        if (t - prev < 1e-20) return null;
        continue;
      }
      return zoom(prev, fPrev, gPrev, t, f, g);
    }
    if (Math.abs(g) <= -c2 * dg0) return { step: t, f };
    if (g >= 0) return zoom(t, f, g, prev, fPrev, gPrev);
    [prev, fPrev, gPrev] = [t, f, g];
    t *= 2;
  }
  return null;
}

/**
 * Minimises `fg` from `x0` with L-BFGS (Nocedal & Wright Alg. 7.4): the
 * two-loop recursion for the search direction, strong-Wolfe steps, and a
 * restart along −∇f whenever the direction is not one of descent.
 */
export function minimizeLbfgs(fg: ObjectiveWithGradient, x0: ArrayLike<number>, opts: LbfgsOptions = {}): LbfgsResult {
  const { maxIterations = 5000, gradTol = 1e-12, fTol = 1e-15, memory = 10 } = opts;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  const d = new Float64Array(n);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(memory);
  const counter = { evals: 1 };
  let f = fg(x, g);
  if (!Number.isFinite(f)) return { x, f, gradNorm: NaN, iterations: 0, evaluations: 1, reason: "non-finite" };
  let reason: LbfgsReason = "max-iterations";
  let it = 0;
  for (; it < maxIterations; it++) {
    if (infNorm(g) <= gradTol) {
      reason = "gradient";
      break;
    }
    // two-loop recursion: d = −H·g
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k]! * dot(S[k]!, d);
      const y = Y[k]!;
      for (let i = 0; i < n; i++) d[i]! -= alpha[k]! * y[i]!;
    }
    const last = S.length - 1;
    const gamma = last >= 0 ? dot(S[last]!, Y[last]!) / dot(Y[last]!, Y[last]!) : Math.min(1, 1 / infNorm(g));
    for (let i = 0; i < n; i++) d[i]! *= gamma;
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k]! * dot(Y[k]!, d);
      const s = S[k]!;
      for (let i = 0; i < n; i++) d[i]! += (alpha[k]! - beta) * s[i]!;
    }
    if (!(dot(d, g) < 0)) {
      S.length = Y.length = rho.length = 0; // NOTE: not a descent direction (lost curvature): restart
      const scale = Math.min(1, 1 / infNorm(g));
      for (let i = 0; i < n; i++) d[i] = -g[i]! * scale;
    }
    const ls = lineSearch(fg, x, f, g, d, 1, xNew, gNew, counter);
    if (ls === null) {
      if (S.length > 0) {
        S.length = Y.length = rho.length = 0; // retry once along the gradient before giving up
        continue;
      }
      reason = "line-search";
      break;
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i]! - x[i]!;
      y[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-300) {
      if (S.length === memory) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const fOld = f;
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    f = ls.f;
    if (fOld - f <= fTol * Math.abs(f)) {
      reason = "function";
      it++;
      break;
    }
  }
  return { x, f, gradNorm: infNorm(g), iterations: it, evaluations: counter.evals, reason };
}
