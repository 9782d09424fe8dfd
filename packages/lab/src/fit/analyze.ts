/**
 * @file The whole scaling analysis of a set of runs, as written to
 * `fit.json`: Approach 1 (the lower envelope of the runs' curves, when they
 * are given), Approach 2 (IsoFLOP parabolas → power laws), Approach 3 (the
 * parametric law with bootstrap intervals), a holdout refit without the
 * largest budget, and the acceptance verdicts, beside the published fits.
 */
import { fitApproach1, type Approach1Fit, type TrainingCurve } from "./approach1.js";
import { bootstrapLossLaw, type LossLawBootstrap } from "./bootstrap.js";
import { fitIsoflop, groupByBudget, type IsoflopFit } from "./isoflop.js";
import { CHINCHILLA_GRID, fitLossLaw, predictLoss, type InitGrid, type LossLaw, type LossLawFit } from "./parametric.js";
import { dropHighestLoss, type ScalingPoint } from "./points.js";
import { computeVerdicts, type HoldoutCheck, type Verdict } from "./verdicts.js";

/** The format tag of `fit.json`. */
export const FIT_FORMAT = "kiln.scaling-fit/1";

/** A published fit to compare with. */
export interface ReferenceFit {
  name: string;
  law: LossLaw;
  /** N_opt ∝ C^a as the source states it. */
  a: number;
  note: string;
}

/** Hoffmann et al. 2022 as printed, Epoch AI's 2024 refit of the same data, and Kaplan et al. 2020's exponent. */
export const REFERENCE_FITS: ReferenceFit[] = [
  { name: "Chinchilla (Hoffmann et al. 2022)", law: { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 }, a: 0.5, note: "a ≈ 0.5 from Approaches 1–2 (0.50, 0.49); the printed Approach 3 law gives β/(α+β) = 0.45" },
  { name: "Epoch AI refit (Besiroglu et al. 2024)", law: { E: 1.82, A: 482, B: 2085, alpha: 0.35, beta: 0.37 }, a: 0.51, note: "same data, Huber terms summed, optimiser run to convergence" },
];

/** Kaplan et al. 2020's compute-optimal size exponent (N_opt ∝ C^0.73). */
export const KAPLAN_A = 0.73;

/** Options of {@link analyzeScaling}. */
export interface AnalysisOptions {
  /** Huber δ (default 1e-3). */
  delta?: number;
  /** Initialisation grid of Approach 3 (default Chinchilla's 4,500 starts). */
  grid?: InitGrid;
  /** Bootstrap resamples for both approaches (default 400; 0 for none). */
  resamples?: number;
  seed?: number;
  /** Relative budget tolerance for IsoFLOP grouping (default 0.15). */
  budgetTolerance?: number;
  /** Drop this many highest-loss points first (Epoch AI drop 5 of Chinchilla's). */
  dropHighestLoss?: number;
  /** Every run's validation curve, for Approach 1 (a sweep has them; a points CSV does not). Not stored in `options`. */
  curves?: readonly TrainingCurve[];
}

/** Everything in `fit.json`. */
export interface ScalingAnalysis {
  format: typeof FIT_FORMAT;
  options: Required<Omit<AnalysisOptions, "grid" | "curves">> & { gridStarts: number };
  /** The points fitted (after any drop). */
  points: ScalingPoint[];
  dropped: number;
  /** Approach 1, or null with the reason in `approach1Error`. */
  approach1: Approach1Fit | null;
  approach1Error: string | null;
  isoflop: IsoflopFit;
  /** Approach 3, or null with the reason in `lawError`. */
  law: (LossLawFit & { bootstrap: LossLawBootstrap | null }) | null;
  lawError: string | null;
  holdout: HoldoutCheck | null;
  holdoutError: string | null;
  verdicts: Verdict[];
  references: ReferenceFit[];
}

const gridSize = (g: InitGrid) => g.a.length * g.b.length * g.e.length * g.alpha.length * g.beta.length;

function holdoutCheck(points: readonly ScalingPoint[], opts: { delta: number; grid: InitGrid; budgetTolerance: number; extraStarts: number[][] }): HoldoutCheck {
  const groups = groupByBudget(points, opts.budgetTolerance);
  if (groups.length < 3) throw new RangeError(`needs 3 or more budgets, got ${groups.length}`);
  const last = groups[groups.length - 1]!;
  const rest = groups.slice(0, -1).flatMap((g) => g.points);
  const fit = fitLossLaw(rest, { delta: opts.delta, grid: opts.grid, extraStarts: opts.extraStarts });
  const observed = Math.min(...last.points.map((p) => p.loss));
  const predicted = Math.min(...last.points.map((p) => predictLoss(fit.law, p.N, p.D)));
  if (!Number.isFinite(predicted)) throw new RangeError(`the law refitted without C = ${last.C.toExponential(2)} gives no finite prediction there (${JSON.stringify(fit.law)})`);
  return { C: last.C, observed, predicted, relError: Math.abs(predicted - observed) / observed };
}

/** Approach 1 on the curves with at least 2 evaluations, or why there is none. */
function approach1Of(curves: readonly TrainingCurve[] | undefined, resamples: number, seed: number): { approach1: Approach1Fit | null; approach1Error: string | null } {
  const dense = (curves ?? []).filter((c) => c.points.length >= 2);
  if (dense.length === 0) {
    return { approach1: null, approach1Error: curves === undefined ? "needs the runs' training curves (a sweep directory, not a points table)" : "the runs logged no validation curve (set train.curveEvals in the sweep config; the approach1 preset does)" };
  }
  try {
    return { approach1: fitApproach1(dense, { resamples, seed }), approach1Error: null };
  } catch (e) {
    return { approach1: null, approach1Error: (e as Error).message };
  }
}

/** Runs the three approaches, the bootstrap, the holdout and the verdicts on `points`. */
export function analyzeScaling(input: readonly ScalingPoint[], opts: AnalysisOptions = {}): ScalingAnalysis {
  const { delta = 1e-3, grid = CHINCHILLA_GRID, resamples = 400, seed = 0, budgetTolerance = 0.15, dropHighestLoss: drop = 0 } = opts;
  const points = dropHighestLoss(input, drop);
  const isoflop = fitIsoflop(points, { budgetTolerance, resamples, seed });
  const { approach1, approach1Error } = approach1Of(opts.curves, resamples, seed);
  let law: ScalingAnalysis["law"] = null;
  let lawError: string | null = null;
  try {
    const fit = fitLossLaw(points, { delta, grid });
    law = { ...fit, bootstrap: resamples > 0 ? bootstrapLossLaw(points, fit, { resamples, seed, delta }) : null };
  } catch (e) {
    lawError = (e as Error).message;
  }
  let holdout: HoldoutCheck | null = null;
  let holdoutError: string | null = null;
  try {
    holdout = holdoutCheck(points, { delta, grid, budgetTolerance, extraStarts: law?.optima ?? [] });
  } catch (e) {
    holdoutError = (e as Error).message;
  }
  return {
    format: FIT_FORMAT,
    options: { delta, resamples, seed, budgetTolerance, dropHighestLoss: drop, gridStarts: gridSize(grid) },
    points, dropped: input.length - points.length,
    approach1, approach1Error, isoflop, law, lawError, holdout, holdoutError,
    verdicts: computeVerdicts({ isoflop, law, lawError, holdout, holdoutError }),
    references: REFERENCE_FITS,
  };
}
