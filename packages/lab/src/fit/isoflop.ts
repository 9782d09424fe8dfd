/**
 * @file Approach 2 of Hoffmann et al. 2022 (Chinchilla, §3.2): group runs by
 * compute budget (IsoFLOP profiles), fit a parabola of loss in ln N per
 * budget, take its minimum as N_opt(C) (D_opt = C / (6·N_opt)), then fit
 * power laws N_opt ∝ C^a and D_opt ∝ C^b. Budgets without an interior
 * minimum get a verdict instead of a number.
 */
import { budgetOf, type ScalingPoint } from "./points.js";
import { fitLine, fitParabola, percentileInterval, resampleIndices, seededRandom, type Parabola } from "./stats.js";

/** What a budget's profile showed. */
export type ProfileVerdict = "ok" | "too-few-points" | "no-minimum" | "edge-minimum";

/** One IsoFLOP profile. */
export interface IsoflopProfile {
  /** The budget (geometric mean of its points' budgets). */
  C: number;
  points: ScalingPoint[];
  /** `loss = c0 + c1·ln N + c2·(ln N)²`, or null with fewer than 3 distinct sizes. */
  parabola: Parabola | null;
  verdict: ProfileVerdict;
  /** Why, in words. */
  message: string;
  /** The parabola's minimum (only when verdict is "ok"). */
  nOpt: number | null;
  dOpt: number | null;
  lossOpt: number | null;
  /** The lowest observed loss in the profile and its N. */
  bestLoss: number;
  bestN: number;
}

/** `y = k·C^exponent` fitted in log-log space. */
export interface PowerLaw {
  exponent: number;
  coefficient: number;
  /** Standard error of the exponent from the regression (NaN with 2 budgets). */
  exponentSe: number;
  /** 95% bootstrap interval of the exponent, or null without a bootstrap. */
  ci: [number, number] | null;
  budgets: number;
}

/** The whole Approach 2 result. */
export interface IsoflopFit {
  profiles: IsoflopProfile[];
  /** N_opt ∝ C^a and D_opt ∝ C^b over the "ok" budgets, or null with fewer than 2. */
  nOpt: PowerLaw | null;
  dOpt: PowerLaw | null;
  message: string;
}

/** Options of {@link fitIsoflop}. */
export interface IsoflopOptions {
  /** Points whose budgets differ by less than this relative amount share a profile (default 0.15). */
  budgetTolerance?: number;
  /** Bootstrap resamples for the exponents' intervals (default 400; 0 for none). */
  resamples?: number;
  seed?: number;
}

/**
 * Groups points into IsoFLOP profiles: sorted by budget, a point joins the
 * current group while its budget is within `tolerance` (relative) of the group's first.
 */
export function groupByBudget(points: readonly ScalingPoint[], tolerance = 0.15): { C: number; points: ScalingPoint[] }[] {
  const sorted = [...points].sort((p, q) => budgetOf(p) - budgetOf(q));
  const groups: ScalingPoint[][] = [];
  for (const p of sorted) {
    const g = groups[groups.length - 1];
    if (g !== undefined && budgetOf(p) <= budgetOf(g[0]!) * (1 + tolerance)) g.push(p);
    else groups.push([p]);
  }
  return groups.map((g) => ({ C: Math.exp(g.reduce((s, p) => s + Math.log(budgetOf(p)), 0) / g.length), points: g }));
}

/** Fits one profile's parabola and judges it. */
export function fitProfile(C: number, points: ScalingPoint[]): IsoflopProfile {
  const best = points.reduce((m, p) => (p.loss < m.loss ? p : m), points[0]!);
  const base = { C, points, bestLoss: best.loss, bestN: best.N, nOpt: null, dOpt: null, lossOpt: null };
  const x = points.map((p) => Math.log(p.N));
  const sizes = new Set(x).size;
  const parabola = sizes >= 3 ? fitParabola(x, points.map((p) => p.loss)) : null;
  if (parabola === null) {
    return { ...base, parabola: null, verdict: "too-few-points", message: `${sizes} distinct model size${sizes === 1 ? "" : "s"}; a parabola needs 3` };
  }
  if (!(parabola.c2 > 0)) return { ...base, parabola, verdict: "no-minimum", message: "the fitted parabola opens downward (no minimum)" };
  const xOpt = -parabola.c1 / (2 * parabola.c2);
  const [lo, hi] = [Math.min(...x), Math.max(...x)];
  if (xOpt < lo || xOpt > hi) {
    return { ...base, parabola, verdict: "edge-minimum", message: `the minimum (N ≈ ${Math.exp(xOpt).toPrecision(3)}) lies outside the sizes tried (${Math.exp(lo).toPrecision(3)}–${Math.exp(hi).toPrecision(3)})` };
  }
  const nOpt = Math.exp(xOpt);
  return {
    ...base, parabola, verdict: "ok", message: "interior minimum",
    nOpt, dOpt: C / (6 * nOpt), lossOpt: parabola.c0 + parabola.c1 * xOpt + parabola.c2 * xOpt * xOpt,
  };
}

/**
 * The one count of budgets with an interior minimum, in words: out of the
 * budgets with at least 3 model sizes (the only ones a parabola can judge),
 * naming how many more had too few sizes to judge.
 */
export function interiorMinimaText(profiles: readonly IsoflopProfile[]): string {
  const judged = profiles.filter((p) => p.verdict !== "too-few-points");
  const ok = judged.filter((p) => p.verdict === "ok").length;
  const unjudged = profiles.length - judged.length;
  return `${ok} of ${judged.length} budgets with ≥ 3 model sizes have an interior minimum${unjudged ? ` (${unjudged} more budget${unjudged > 1 ? "s have" : " has"} fewer than 3 sizes and cannot be judged)` : ""}`;
}

/** `y ∝ C^exponent` by least squares in log-log space, with the slope's standard error (Approaches 1 and 2 both use it). */
export function powerLaw(C: readonly number[], y: readonly number[]): PowerLaw {
  const line = fitLine(C.map(Math.log), y.map(Math.log));
  return { exponent: line.slope, coefficient: Math.exp(line.intercept), exponentSe: line.slopeSe, ci: null, budgets: C.length };
}

/** Approach 2 on `points`: profiles, their minima, and the N_opt / D_opt power laws with bootstrap intervals. */
export function fitIsoflop(points: readonly ScalingPoint[], opts: IsoflopOptions = {}): IsoflopFit {
  const { budgetTolerance = 0.15, resamples = 400, seed = 0 } = opts;
  const profiles = groupByBudget(points, budgetTolerance).map((g) => fitProfile(g.C, g.points));
  const ok = profiles.filter((p) => p.verdict === "ok");
  if (ok.length < 2) {
    return { profiles, nOpt: null, dOpt: null, message: `${interiorMinimaText(profiles)}; power laws need at least 2` };
  }
  const nOpt = powerLaw(ok.map((p) => p.C), ok.map((p) => p.nOpt!));
  const dOpt = powerLaw(ok.map((p) => p.C), ok.map((p) => p.dOpt!));
  if (resamples > 0) {
    // resample runs within each budget, refit every profile and both laws
    const random = seededRandom(seed);
    const as: number[] = [];
    const bs: number[] = [];
    for (let r = 0; r < resamples; r++) {
      const fitted = ok
        .map((p) => fitProfile(p.C, resampleIndices(p.points.length, random).map((i) => p.points[i]!)))
        .filter((p) => p.verdict === "ok");
      if (fitted.length < 2) continue;
      as.push(powerLaw(fitted.map((p) => p.C), fitted.map((p) => p.nOpt!)).exponent);
      bs.push(powerLaw(fitted.map((p) => p.C), fitted.map((p) => p.dOpt!)).exponent);
    }
    if (as.length >= 10) {
      nOpt.ci = percentileInterval(as);
      dOpt.ci = percentileInterval(bs);
    }
  }
  return { profiles, nOpt, dOpt, message: interiorMinimaText(profiles) };
}
