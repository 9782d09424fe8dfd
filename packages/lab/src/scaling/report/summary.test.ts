/**
 * @file The scaling summary's words: exponents with an interval judged as
 * reproduced / contradicted / inconclusive against their range, checks with
 * no interval passed or failed — never "did not reproduce".
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyzeScaling, COARSE_GRID, parsePointsCsv, type ScalingAnalysis } from "../../fit/index.js";
import { judgeRange, rangeJudgements, summarySentence } from "./summary.js";

const FIXTURE = fileURLToPath(new URL("../../../test/fixtures/scaling/published-style.csv", import.meta.url));

describe("judgeRange", () => {
  it("reproduced inside, contradicted outside, inconclusive across an end", () => {
    expect(judgeRange(0.5, [0.45, 0.55], [0.35, 0.65]).verdict).toBe("reproduced");
    expect(judgeRange(0.9, [0.85, 0.95], [0.35, 0.65]).verdict).toBe("contradicted");
    expect(judgeRange(0.2, [0.1, 0.3], [0.35, 0.65]).verdict).toBe("contradicted");
    const across = judgeRange(0.875, [0.6, 1.0], [0.15, 0.8]);
    expect(across.verdict).toBe("inconclusive");
    expect(across.label).toBe("inconclusive at this budget (±0.200)");
  });
});

describe("summarySentence", () => {
  const an = analyzeScaling(parsePointsCsv(readFileSync(FIXTURE, "utf8"), "published-style.csv"), { grid: COARSE_GRID, resamples: 30, seed: 1 });

  it("judges every exponent with an interval and lists the other checks as passed", () => {
    expect(rangeJudgements(an).map((j) => `${j.quantity}: ${j.verdict}`)).toEqual(["a (Approach 2): reproduced", "a (Approach 3): reproduced", "α: reproduced", "β: reproduced"]);
    const s = summarySentence(an);
    expect(s).toMatch(/^Reproduced: a \(Approach 2\) in \[0\.35, 0\.65\] \(0\.5\d\d, 95% CI 0\.\d{3}–0\.\d{3}\); a \(Approach 3\)/);
    expect(s).toMatch(/ Passed: loss falls along the compute frontier; IsoFLOP curves have interior minima; a from Approaches 2 and 3 within 0\.15 \(difference 0\.\d{3}\); log-residual RMSE/);
    expect(s).not.toMatch(/reproduce:|Failed|Contradicted/);
  });

  it("says Failed, not 'did not reproduce', for a threshold missed, and inconclusive for an interval across a range's end", () => {
    const law = an.law!;
    const steep: ScalingAnalysis = {
      ...an,
      law: { ...law, law: { ...law.law, beta: 0.875 }, bootstrap: { ...law.bootstrap!, ci: { ...law.bootstrap!.ci, beta: [0.6, 1.0] } } },
      verdicts: an.verdicts.map((v) => (v.id === "residuals" ? { ...v, status: "WARN" } : v)),
    };
    const s = summarySentence(steep);
    expect(s).toContain("Inconclusive at this budget: β in [0.15, 0.8] (0.875, 95% CI 0.600–1.000, ±0.200).");
    expect(s).toMatch(/Failed: log-residual RMSE ≤ 0\.02\./);
    expect(s).not.toMatch(/not reproduce/i);
  });

  it("without bootstrap intervals every check is passed or failed", () => {
    const bare = analyzeScaling(an.points, { grid: COARSE_GRID, resamples: 0 });
    expect(rangeJudgements(bare)).toEqual([]);
    expect(summarySentence(bare)).toMatch(/^Passed: loss falls along the compute frontier; IsoFLOP curves have interior minima; a from both approaches/);
  });
  it("with Approach 1 fitted, says whether a from the three approaches agrees within 0.1", () => {
    const a2 = an.isoflop.nOpt!.exponent;
    const withA1 = (a1: number): ScalingAnalysis => ({ ...an, approach1: { nOpt: { exponent: a1, ci: null } } as unknown as ScalingAnalysis["approach1"] });
    const near = summarySentence(withA1(a2 + 0.05));
    expect(near).toMatch(/Passed: .*a from the three approaches within 0\.1 of each other \(0\.\d{3}, 0\.\d{3}, 0\.\d{3}; spread 0\.\d{3}\)/);
    const far = summarySentence(withA1(a2 + 0.3));
    expect(far).toMatch(/Failed: .*a from the three approaches within 0\.1 of each other \([^)]*spread 0\.[3-9]\d\d\)/);
    expect(summarySentence(an)).not.toMatch(/three approaches/);
  });
});
