/**
 * @file The scaling report's summary: the range checks that have a 95%
 * bootstrap interval (the exponents a, α, β) judged as claims —
 * *reproduced* when the interval lies inside the published range,
 * *contradicted* when it lies wholly outside, *inconclusive at this budget*
 * when it straddles an end — and the checks with no interval as passed or
 * failed (a threshold missed is not a failed replication).
 */
import { judgeClaim, type VerdictWord } from "../../ablate/verdict.js";
import { THRESHOLDS, type ScalingAnalysis } from "../../fit/index.js";

/** One estimate with a 95% interval judged against the range the published results allow. */
export interface RangeJudgement {
  /** What was estimated, e.g. `a (Approach 2)`. */
  quantity: string;
  /** The check it belongs to (`exponent-a` or `alpha-beta`). */
  check: "exponent-a" | "alpha-beta";
  estimate: number;
  interval: [number, number];
  range: readonly [number, number];
  verdict: VerdictWord;
  /** `reproduced`, `contradicted` or `inconclusive at this budget (±0.041)`. */
  label: string;
}

/** Judges `estimate` with its interval against `[lo, hi]` as a "same within a margin" claim about its distance from the range's centre. */
export function judgeRange(estimate: number, interval: readonly [number, number], [lo, hi]: readonly [number, number]): { verdict: VerdictWord; label: string } {
  const centre = (lo + hi) / 2;
  const j = judgeClaim(estimate - centre, [interval[0] - centre, interval[1] - centre], "same", { equivalenceMargin: (hi - lo) / 2, unit: "" });
  return { verdict: j.verdict, label: j.label };
}

/** The exponents of the analysis that have a bootstrap interval, each judged against its acceptance range. */
export function rangeJudgements(an: ScalingAnalysis): RangeJudgement[] {
  const out: RangeJudgement[] = [];
  const add = (quantity: string, check: RangeJudgement["check"], estimate: number | undefined, interval: [number, number] | null | undefined, range: readonly [number, number]) => {
    if (estimate === undefined || !interval || !interval.every(Number.isFinite)) return;
    out.push({ quantity, check, estimate, interval, range, ...judgeRange(estimate, interval, range) });
  };
  add("a (Approach 1)", "exponent-a", an.approach1?.nOpt?.exponent, an.approach1?.nOpt?.ci, THRESHOLDS.aRange);
  add("a (Approach 2)", "exponent-a", an.isoflop.nOpt?.exponent, an.isoflop.nOpt?.ci, THRESHOLDS.aRange);
  const ci = an.law?.bootstrap?.ci;
  add("a (Approach 3)", "exponent-a", an.law?.a, ci?.a, THRESHOLDS.aRange);
  add("α", "alpha-beta", an.law?.law.alpha, ci?.alpha, THRESHOLDS.exponentRange);
  add("β", "alpha-beta", an.law?.law.beta, ci?.beta, THRESHOLDS.exponentRange);
  return out;
}

const lower = (t: string) => (/^[A-Z][a-z]*\s/.test(t) ? t.charAt(0).toLowerCase() + t.slice(1) : t);

/**
 * The sentence saying what reproduced, what was contradicted and what this
 * budget cannot tell (the judged exponents), then which checks without an
 * interval passed or failed. A check whose every exponent was judged is
 * left to its judgements; for `exponent-a` the agreement of Approaches 2
 * and 3 — and of all three when Approach 1 was fitted (Chinchilla's
 * headline) — stays a passed/failed item.
 */
export function summarySentence(an: ScalingAnalysis): string {
  const judged = rangeJudgements(an);
  const text = (j: RangeJudgement) => `${j.quantity} in [${j.range[0]}, ${j.range[1]}] (${j.estimate.toFixed(3)}, 95% CI ${j.interval[0].toFixed(3)}–${j.interval[1].toFixed(3)}${j.verdict === "inconclusive" ? `, ${j.label.replace(/^inconclusive at this budget \((.*)\)$/, "$1")}` : ""})`;
  const parts: string[] = [];
  const heads = { reproduced: "Reproduced", contradicted: "Contradicted", inconclusive: "Inconclusive at this budget" } as const;
  for (const word of ["reproduced", "contradicted", "inconclusive"] as const) {
    const js = judged.filter((j) => j.verdict === word);
    if (js.length) parts.push(`${heads[word]}: ${js.map(text).join("; ")}.`);
  }
  const has = (q: string) => judged.some((j) => j.quantity === q);
  const items = an.verdicts.flatMap((v) => {
    if (v.id === "alpha-beta" && has("α") && has("β")) return [];
    if (v.id === "exponent-a" && has("a (Approach 2)") && has("a (Approach 3)")) {
      const gap = Math.abs(an.isoflop.nOpt!.exponent - an.law!.a);
      const pair = { status: gap <= THRESHOLDS.aAgreement ? "PASS" : "WARN", title: `a from Approaches 2 and 3 within ${THRESHOLDS.aAgreement} (difference ${gap.toFixed(3)})` };
      const a1 = an.approach1?.nOpt?.exponent;
      if (a1 === undefined) return [pair];
      const as = [a1, an.isoflop.nOpt!.exponent, an.law!.a];
      const spread = Math.max(...as) - Math.min(...as);
      return [pair, { status: spread <= THRESHOLDS.aThreeAgreement ? "PASS" : "WARN", title: `a from the three approaches within ${THRESHOLDS.aThreeAgreement} of each other (${as.map((a) => a.toFixed(3)).join(", ")}; spread ${spread.toFixed(3)})` }];
    }
    return [{ status: v.status, title: lower(v.title) }];
  });
  const by = (s: string) => items.filter((v) => v.status === s).map((v) => v.title);
  const [pass, fail, inc] = [by("PASS"), by("WARN"), by("INCONCLUSIVE")];
  if (pass.length) parts.push(`Passed: ${pass.join("; ")}.`);
  if (fail.length) parts.push(`Failed: ${fail.join("; ")}.`);
  if (inc.length) parts.push(`Inconclusive (too little data to judge): ${inc.join("; ")}.`);
  return parts.join(" ");
}
