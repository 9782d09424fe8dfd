/**
 * @file The acceptance checks of a scaling analysis, each computed from the
 * data as PASS, WARN or INCONCLUSIVE (not enough data to judge), with the
 * numbers behind it in words.
 */
import { interiorMinimaText, type IsoflopFit } from "./isoflop.js";
import type { LossLawFit } from "./parametric.js";

/** The outcome of one check. */
export type VerdictStatus = "PASS" | "WARN" | "INCONCLUSIVE";

/** One acceptance check. */
export interface Verdict {
  id: "frontier" | "interior-minima" | "exponent-a" | "alpha-beta" | "residuals" | "holdout";
  title: string;
  status: VerdictStatus;
  detail: string;
}

/** Refit without the largest budget, then predict that budget's best loss. */
export interface HoldoutCheck {
  C: number;
  observed: number;
  predicted: number;
  /** |predicted − observed| / observed. */
  relError: number;
}

/** What the checks look at. */
export interface VerdictInputs {
  isoflop: IsoflopFit;
  law: LossLawFit | null;
  /** Why there is no law, when there is none. */
  lawError: string | null;
  holdout: HoldoutCheck | null;
  holdoutError: string | null;
}

/** The acceptance thresholds (from the issues; all inclusive). `aThreeAgreement`: the spread of a over Approaches 1–3 that counts as agreeing. */
export const THRESHOLDS = { aRange: [0.35, 0.65], aAgreement: 0.15, aThreeAgreement: 0.1, exponentRange: [0.15, 0.8], logRmse: 0.02, holdout: 0.03 } as const;

const f3 = (x: number) => x.toFixed(3);
const inRange = (x: number, [lo, hi]: readonly [number, number]) => x >= lo && x <= hi;

/** Runs every acceptance check. */
export function computeVerdicts({ isoflop, law, lawError, holdout, holdoutError }: VerdictInputs): Verdict[] {
  const out: Verdict[] = [];
  const profiles = isoflop.profiles.filter((p) => p.parabola !== null);
  const frontierProfiles = profiles.length >= 2 ? profiles : isoflop.profiles;
  // 1. the best loss at each budget falls as the budget grows
  const best = frontierProfiles.map((p) => ({ C: p.C, loss: p.bestLoss }));
  const rises = best.slice(1).filter((b, i) => b.loss >= best[i]!.loss);
  out.push({
    id: "frontier", title: "Loss falls along the compute frontier",
    status: best.length < 2 ? "INCONCLUSIVE" : rises.length === 0 ? "PASS" : "WARN",
    detail: best.length < 2 ? "fewer than 2 budgets" : `best loss by budget: ${best.map((b) => `${b.C.toExponential(1)} → ${f3(b.loss)}`).join(", ")}${rises.length ? ` (${rises.length} rise${rises.length > 1 ? "s" : ""})` : ""}`,
  });
  // 2. every IsoFLOP profile has an interior minimum
  const bad = profiles.filter((p) => p.verdict !== "ok");
  out.push({
    id: "interior-minima", title: "IsoFLOP curves have interior minima",
    status: profiles.length === 0 ? "INCONCLUSIVE" : bad.length === 0 ? "PASS" : "WARN",
    detail: profiles.length === 0 ? "no budget has 3 or more model sizes" : `${interiorMinimaText(isoflop.profiles)}${bad.map((p) => `; C = ${p.C.toExponential(1)}: ${p.message}`).join("")}`,
  });
  // 3. N_opt ∝ C^a from both approaches, a in range and in agreement
  const a2 = isoflop.nOpt?.exponent ?? null;
  const a3 = law?.a ?? null;
  const [alo, ahi] = THRESHOLDS.aRange;
  if (a2 === null || a3 === null) {
    out.push({ id: "exponent-a", title: `a from both approaches in [${alo}, ${ahi}] and within ${THRESHOLDS.aAgreement}`, status: "INCONCLUSIVE", detail: [a2 === null ? `Approach 2: ${isoflop.message}` : `Approach 2: a = ${f3(a2)}`, a3 === null ? `Approach 3: ${lawError ?? "no fit"}` : `Approach 3: a = ${f3(a3)}`].join("; ") });
  } else {
    const ok = inRange(a2, THRESHOLDS.aRange) && inRange(a3, THRESHOLDS.aRange) && Math.abs(a2 - a3) <= THRESHOLDS.aAgreement;
    out.push({ id: "exponent-a", title: `a from both approaches in [${alo}, ${ahi}] and within ${THRESHOLDS.aAgreement}`, status: ok ? "PASS" : "WARN", detail: `Approach 2: a = ${f3(a2)}, Approach 3: a = ${f3(a3)} (difference ${f3(Math.abs(a2 - a3))})` });
  }
  // 4. α and β in a plausible range
  const [elo, ehi] = THRESHOLDS.exponentRange;
  out.push(law === null
    ? { id: "alpha-beta", title: `α, β in [${elo}, ${ehi}]`, status: "INCONCLUSIVE", detail: lawError ?? "no fit" }
    : { id: "alpha-beta", title: `α, β in [${elo}, ${ehi}]`, status: inRange(law.law.alpha, THRESHOLDS.exponentRange) && inRange(law.law.beta, THRESHOLDS.exponentRange) ? "PASS" : "WARN", detail: `α = ${f3(law.law.alpha)}, β = ${f3(law.law.beta)}` });
  // 5. the law fits the points
  out.push(law === null
    ? { id: "residuals", title: `log-residual RMSE ≤ ${THRESHOLDS.logRmse}`, status: "INCONCLUSIVE", detail: lawError ?? "no fit" }
    : { id: "residuals", title: `log-residual RMSE ≤ ${THRESHOLDS.logRmse}`, status: law.logRmse <= THRESHOLDS.logRmse ? "PASS" : "WARN", detail: `RMSE of ln L̂ − ln L = ${law.logRmse.toFixed(4)}` });
  // 6. the law extrapolates one budget up
  out.push(holdout === null
    ? { id: "holdout", title: `Refit without the largest budget predicts its best loss within ${THRESHOLDS.holdout * 100}%`, status: "INCONCLUSIVE", detail: holdoutError ?? "no holdout fit" }
    : {
      id: "holdout", title: `Refit without the largest budget predicts its best loss within ${THRESHOLDS.holdout * 100}%`,
      status: holdout.relError <= THRESHOLDS.holdout ? "PASS" : "WARN",
      detail: `C = ${holdout.C.toExponential(2)}: predicted ${f3(holdout.predicted)}, observed ${f3(holdout.observed)} (${(holdout.relError * 100).toFixed(1)}% off)`,
    });
  return out;
}
