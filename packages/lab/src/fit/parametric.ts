/**
 * @file Approach 3 of Hoffmann et al. 2022 (Chinchilla, §3.3 and App. D.2):
 * fit `L(N, D) = E + A/N^α + B/D^β` by minimising the Huber loss (δ = 1e-3)
 * of log-loss residuals, with `log L̂ = LSE(a − α·ln N, b − β·ln D, e)`
 * (A = eᵃ, B = eᵇ, E = eᵉ), by L-BFGS from a grid of initialisations.
 * As Besiroglu et al. 2024 ("Chinchilla Scaling: A replication attempt")
 * recommend, the Huber terms are summed (not averaged) and the optimiser
 * runs to tight tolerances; the published fit stopped early.
 */
import { minimizeLbfgs, type LbfgsOptions, type LbfgsReason, type LbfgsResult } from "./lbfgs.js";
import type { ScalingPoint } from "./points.js";

/** `L(N, D) = E + A/N^α + B/D^β`. */
export interface LossLaw {
  E: number;
  A: number;
  B: number;
  alpha: number;
  beta: number;
}

/** Start values of (a = ln A, b = ln B, e = ln E, α, β); every combination is one L-BFGS start. */
export interface InitGrid {
  a: number[];
  b: number[];
  e: number[];
  alpha: number[];
  beta: number[];
}

const range = (lo: number, hi: number, step: number) => Array.from({ length: Math.round((hi - lo) / step) + 1 }, (_, i) => lo + i * step);

/** Chinchilla's grid (App. D.2): α, β ∈ {0, 0.5, …, 2}, e ∈ {−1, −0.5, …, 1}, a, b ∈ {0, 5, …, 25}: 4,500 starts. */
export const CHINCHILLA_GRID: InitGrid = { a: range(0, 25, 5), b: range(0, 25, 5), e: range(-1, 1, 0.5), alpha: range(0, 2, 0.5), beta: range(0, 2, 0.5) };

/** A 288-start grid over the same box, for quick fits and tests. */
export const COARSE_GRID: InitGrid = { a: [0, 8, 16, 24], b: [0, 8, 16, 24], e: [-1, 0, 1], alpha: [0.25, 1, 1.75], beta: [0.25, 1, 1.75] };

/** Options of {@link fitLossLaw}. */
export interface LossLawFitOptions {
  /** Huber threshold on log-loss residuals (Chinchilla: 1e-3). */
  delta?: number;
  grid?: InitGrid;
  /** Extra starts tried besides the grid, as [a, b, e, α, β]. */
  extraStarts?: number[][];
  /** Iterations every start gets (default 200); the `polish` (16) best then run to convergence (up to 5,000). */
  screenIterations?: number;
  polish?: number;
  lbfgs?: LbfgsOptions;
}

/** A fitted {@link LossLaw} and how the fit went. */
export interface LossLawFit {
  law: LossLaw;
  /** The optimum in the fitting parametrisation [a, b, e, α, β]. */
  theta: number[];
  /** Summed Huber loss at the optimum. */
  objective: number;
  /** RMS of `ln L̂ − ln L` over the points. */
  logRmse: number;
  /** Compute-optimal exponents: N_opt ∝ C^a with `a = β/(α+β)`, D_opt ∝ C^b with `b = α/(α+β)`. */
  a: number;
  b: number;
  starts: number;
  /** The best distinct optima the starts reached (θ, best first, at most 8): the bootstrap's starts. */
  optima: number[][];
  /** How the best start's L-BFGS ended, with its iterations and final ‖∇‖∞. */
  reason: LbfgsReason;
  iterations: number;
  gradNorm: number;
}

/** Huber loss: quadratic within ±δ, linear outside. */
export function huber(r: number, delta: number): number {
  const x = Math.abs(r);
  return x <= delta ? 0.5 * r * r : delta * (x - 0.5 * delta);
}

/** Predicted loss `E + A/N^α + B/D^β`. */
export function predictLoss(law: LossLaw, N: number, D: number): number {
  return law.E + law.A / N ** law.alpha + law.B / D ** law.beta;
}

/** The law from the fitting parametrisation [a, b, e, α, β]. */
export function lawFromTheta(theta: readonly number[]): LossLaw {
  const [a, b, e, alpha, beta] = theta as [number, number, number, number, number];
  return { A: Math.exp(a), B: Math.exp(b), E: Math.exp(e), alpha, beta };
}

/**
 * The summed Huber objective over points and its gradient in θ = [a, b, e, α, β]:
 * `Σᵢ huber(LSE(a − α·ln Nᵢ, b − β·ln Dᵢ, e) − ln Lᵢ)`.
 */
export function huberObjective(lnN: Float64Array, lnD: Float64Array, lnL: Float64Array, delta: number) {
  return (theta: Float64Array, grad: Float64Array): number => {
    const [a, b, e, alpha, beta] = theta as unknown as [number, number, number, number, number];
    grad.fill(0);
    let f = 0;
    for (let i = 0; i < lnN.length; i++) {
      const u = a - alpha * lnN[i]!;
      const v = b - beta * lnD[i]!;
      const m = Math.max(u, v, e);
      const eu = Math.exp(u - m);
      const ev = Math.exp(v - m);
      const ee = Math.exp(e - m);
      const s = eu + ev + ee;
      const r = m + Math.log(s) - lnL[i]!;
      f += huber(r, delta);
      const h = (r > delta ? delta : r < -delta ? -delta : r) / s; // huber'(r), times the softmax normaliser
      grad[0]! += h * eu;
      grad[1]! += h * ev;
      grad[2]! += h * ee;
      grad[3]! -= h * eu * lnN[i]!;
      grad[4]! -= h * ev * lnD[i]!;
    }
    return f;
  };
}

function gridStarts(grid: InitGrid): number[][] {
  const out: number[][] = [];
  for (const a of grid.a) for (const b of grid.b) for (const e of grid.e) for (const al of grid.alpha) for (const be of grid.beta) out.push([a, b, e, al, be]);
  return out;
}

/** Compute-optimal exponents `a = β/(α+β)`, `b = α/(α+β)`. */
export function optimalExponents(law: LossLaw): { a: number; b: number } {
  return { a: law.beta / (law.alpha + law.beta), b: law.alpha / (law.alpha + law.beta) };
}

/**
 * The compute-optimal allocation of `C = 6·N·D` under a law (Chinchilla eq. 4):
 * `N_opt = G·(C/6)^a`, `D_opt = G⁻¹·(C/6)^b`, `G = (αA/(βB))^(1/(α+β))`.
 */
export function computeOptimal(law: LossLaw, C: number): { N: number; D: number; loss: number } {
  const { a, b } = optimalExponents(law);
  const G = ((law.alpha * law.A) / (law.beta * law.B)) ** (1 / (law.alpha + law.beta));
  const N = G * (C / 6) ** a;
  const D = (C / 6) ** b / G;
  return { N, D, loss: predictLoss(law, N, D) };
}

/** Fits {@link LossLaw} to points (at least 6, with N and D each taking ≥ 2 values); throws RangeError otherwise. */
export function fitLossLaw(points: readonly ScalingPoint[], opts: LossLawFitOptions = {}): LossLawFit {
  const { delta = 1e-3, grid = CHINCHILLA_GRID, extraStarts = [], lbfgs = {}, screenIterations = 200, polish = 16 } = opts;
  if (points.length < 6) throw new RangeError(`too few points for a 5-parameter fit: ${points.length} (need at least 6)`);
  for (const k of ["N", "D"] as const) {
    if (new Set(points.map((p) => p[k])).size < 2) throw new RangeError(`${k} takes a single value, so its term cannot be fitted`);
  }
  const lnN = Float64Array.from(points, (p) => Math.log(p.N));
  const lnD = Float64Array.from(points, (p) => Math.log(p.D));
  const lnL = Float64Array.from(points, (p) => Math.log(p.loss));
  const fg = huberObjective(lnN, lnD, lnL, delta);
  const starts = [...gridStarts(grid), ...extraStarts];
  // Every start runs a screening budget of iterations; the best few then run to convergence.
  // NOTE: the final answer is always fully converged; only hopeless starts are cut short.
  const finite = (r: LbfgsResult) => Number.isFinite(r.f) && r.x.every(Number.isFinite);
  const screened = starts.map((x0) => minimizeLbfgs(fg, x0, { ...lbfgs, maxIterations: Math.min(screenIterations, lbfgs.maxIterations ?? Infinity) })).filter(finite);
  screened.sort((p, q) => p.f - q.f);
  const ends = screened.slice(0, polish).map((r) => (r.reason === "max-iterations" ? minimizeLbfgs(fg, r.x, { maxIterations: 5000, ...lbfgs }) : r)).filter(finite);
  ends.sort((p, q) => p.f - q.f);
  const best = ends[0];
  if (best === undefined) throw new RangeError("no start gave a finite objective");
  const optima: number[][] = [];
  for (const r of ends) {
    if (optima.length === 8) break;
    if (!optima.some((o) => o.every((v, i) => Math.abs(v - r.x[i]!) <= 1e-3 * Math.max(1, Math.abs(v))))) optima.push([...r.x]);
  }
  const theta = [...best.x];
  const law = lawFromTheta(theta);
  let sq = 0;
  for (let i = 0; i < lnN.length; i++) sq += (Math.log(predictLoss(law, Math.exp(lnN[i]!), Math.exp(lnD[i]!))) - lnL[i]!) ** 2;
  return {
    law, theta, objective: best.f, logRmse: Math.sqrt(sq / lnN.length), ...optimalExponents(law),
    starts: starts.length, optima, reason: best.reason, iterations: best.iterations, gradNorm: best.gradNorm,
  };
}
