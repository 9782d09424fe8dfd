/**
 * @file The verdict on a published claim from an estimate and its 95%
 * interval: *reproduced* (the interval lies inside what the claim allows),
 * *contradicted* (it lies wholly outside) or *inconclusive at this budget*
 * (it straddles the boundary — reported with its half-width, so the reader
 * sees what size of effect was ruled out). An interval that covers zero is
 * no evidence either way, never "did not reproduce".
 */

/** A published claim about `variant − baseline` loss: lower, higher, or equal within a margin. */
export type ClaimDirection = "better" | "worse" | "same";

/** The three verdict words. */
export type VerdictWord = "reproduced" | "contradicted" | "inconclusive";

/** A judged claim. */
export interface ClaimVerdict {
  verdict: VerdictWord;
  /** Half the interval's width, `(hi − lo) / 2` (NaN without an interval). */
  halfWidth: number;
  /** The words a table prints: `reproduced`, `contradicted`, `inconclusive at this budget (±0.041)`. */
  label: string;
  /** One line saying why, with the estimate and the interval. */
  explanation: string;
}

/** Options of {@link judgeClaim}. */
export interface JudgeOptions {
  /**
   * For `"same"`: differences within ±margin count as equal (default 0.03 nats,
   * the half-width the built-in study is sized for). Ignored otherwise.
   */
  equivalenceMargin?: number;
  /** Digits after the point in the printed numbers (default 3). */
  digits?: number;
  /** Unit after the numbers (default "nats"). */
  unit?: string;
}

/** `(hi − lo) / 2`. */
export function halfWidthOf([lo, hi]: readonly [number, number]): number {
  return (hi - lo) / 2;
}

/** The label of an interval that settles nothing: `inconclusive at this budget (±0.041)`. */
export function inconclusiveLabel(halfWidth: number, digits = 3): string {
  return Number.isFinite(halfWidth) ? `inconclusive at this budget (±${halfWidth.toFixed(digits)})` : "inconclusive (one seed: no interval)";
}

/** The open range of `variant − baseline` the claim allows. */
function allowedRange(expect: ClaimDirection, margin: number): [number, number] {
  if (expect === "better") return [-Infinity, 0];
  if (expect === "worse") return [0, Infinity];
  return [-margin, margin];
}

const signed = (x: number, digits: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(digits)}`;

/**
 * Judges a claim about `variant − baseline` (negative = variant better) from
 * the estimate and its interval `[lo, hi]`: reproduced when the interval lies
 * strictly inside the range the claim allows (`< 0` for "better", `> 0` for
 * "worse", `(−m, m)` for "same"), contradicted when it does not touch that
 * range, inconclusive otherwise (and when the interval is missing, NaN).
 */
export function judgeClaim(estimate: number, interval: readonly [number, number], expect: ClaimDirection, opts: JudgeOptions = {}): ClaimVerdict {
  const { equivalenceMargin = 0.03, digits = 3, unit = "nats" } = opts;
  if (!(equivalenceMargin > 0)) throw new RangeError(`judgeClaim: equivalenceMargin must be positive, got ${equivalenceMargin}`);
  const [lo, hi] = interval;
  if (lo > hi) throw new RangeError(`judgeClaim: interval [${lo}, ${hi}] has its lower bound above its upper bound`);
  const halfWidth = halfWidthOf([lo, hi]);
  const est = `Δ = ${signed(estimate, digits)} [${signed(lo, digits)}, ${signed(hi, digits)}] ${unit}`;
  const claim = expect === "same" ? `the published result is no difference (within ±${equivalenceMargin.toFixed(digits)})` : `the published result is that the variant is ${expect}`;
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) {
    return { verdict: "inconclusive", halfWidth: NaN, label: inconclusiveLabel(NaN), explanation: `Δ = ${signed(estimate, digits)} ${unit} with no interval (needs ≥ 2 seeds); ${claim}` };
  }
  const [rlo, rhi] = allowedRange(expect, equivalenceMargin);
  if (lo > rlo && hi < rhi) {
    const why = expect === "same" ? `the interval lies within ±${equivalenceMargin.toFixed(digits)}` : `the interval excludes zero on the published side (variant ${expect})`;
    return { verdict: "reproduced", halfWidth, label: "reproduced", explanation: `${est}: ${why}` };
  }
  if (lo > rhi || hi < rlo) {
    const why = expect === "same" ? `the interval lies wholly outside ±${equivalenceMargin.toFixed(digits)}` : `the interval excludes zero on the other side (variant ${lo > 0 ? "worse" : "better"})`;
    return { verdict: "contradicted", halfWidth, label: "contradicted", explanation: `${est}: ${why}; ${claim}` };
  }
  const ruledOut = `effects below ${signed(lo, digits)} or above ${signed(hi, digits)} are ruled out, smaller ones are not`;
  return { verdict: "inconclusive", halfWidth, label: inconclusiveLabel(halfWidth, digits), explanation: `${est}: ${expect === "same" ? `the interval overlaps ±${equivalenceMargin.toFixed(digits)} without lying inside it` : "the interval covers zero"}, so this budget cannot tell; ${ruledOut}` };
}
